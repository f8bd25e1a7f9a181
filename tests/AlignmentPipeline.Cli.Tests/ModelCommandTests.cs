using AlignmentPipeline.TestSupport;

namespace AlignmentPipeline.Cli.Tests;

public sealed class ModelCommandTests
{
    // llama2.c doc/stories260K.md: `./run stories260K.bin -z tok512.bin -t 0.0` prints exactly this.
    private const string PublishedGreedyText =
        "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. She wanted to play with it, but it was too high.\n" +
        "Lily's mom said, \"Lily, let's go to the park.\" Lily was sad and didn't know what to do. She said, \"I want to play with your ball, but I can't find it.\"\n" +
        "Lily was sad and didn't know what to do. She said, \"I'm sorry, Lily. I didn't know what to do.\"\n" +
        "Lily didn't want to help her mom, so she said, \"I'm sorry, mom. I didn't know what to do.\" Her mom said, \"Don't worry, Lily. We can help you.";

    [Fact]
    public async Task Model_generate_prints_the_published_stories260K_text_from_bin_and_gguf()
    {
        string bin = SharedData.RequireFile("models/stories260K/stories260K.bin");
        string tok = SharedData.RequireFile("models/stories260K/tok512.bin");
        string gguf = SharedData.RequireFile("models/stories260K/stories260K.gguf");
        string cwd = Path.GetTempPath();
        var fromBin = await AlignProcess.RunAsync(cwd, "model", "generate", bin, "--tokenizer", tok, "--temperature", "0", "--max-tokens", "256");
        var fromGguf = await AlignProcess.RunAsync(cwd, "model", "generate", gguf, "--temperature", "0", "--max-tokens", "256");
        Assert.True(fromBin.ExitCode == 0, fromBin.Error);
        Assert.Equal(PublishedGreedyText + "\n", fromBin.Out);
        Assert.Equal(fromBin.Out, fromGguf.Out);
    }

    [Fact]
    public async Task Model_logprob_reports_tokens_pieces_logprobs_and_their_sum()
    {
        string gguf = SharedData.RequireFile("models/stories260K/stories260K.gguf");
        var result = await AlignProcess.RunAsync(Path.GetTempPath(), "model", "logprob", gguf, "--prompt", "Once upon a time", "--text", ",", "--json");
        Assert.True(result.ExitCode == 0, result.Error);
        var json = System.Text.Json.Nodes.JsonNode.Parse(result.Out)!;
        double logprob = json["logprobs"]![0]!.GetValue<double>();
        // Published: after "Once upon a time" the next token is "," with probability 96.9% (T = 1).
        Assert.InRange(Math.Exp(logprob), 0.964, 0.974);
        Assert.Equal(logprob, json["sum"]!.GetValue<double>(), 1e-9);
        Assert.Equal(",", json["pieces"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task A_missing_model_is_a_user_error()
    {
        var result = await AlignProcess.RunAsync(Path.GetTempPath(), "model", "info", "/no/such/model.gguf");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("model '/no/such/model.gguf' does not exist", result.Error, StringComparison.Ordinal);
    }
}
