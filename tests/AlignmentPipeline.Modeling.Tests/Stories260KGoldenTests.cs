using AlignmentPipeline.TestSupport;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Generation;
using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Modeling.Tests.Tokenization;
using AlignmentPipeline.Modeling.Tokenization;

namespace AlignmentPipeline.Modeling.Tests;

/// <summary>llama2.c's own golden test: greedy stories260K from BOS reproduces the published text exactly.</summary>
public sealed class Stories260KGoldenTests(Stories260KGoldenTests.BinGreedy binGreedy) : IClassFixture<Stories260KGoldenTests.BinGreedy>
{
    private const int Bos = 1;

    // llama2.c doc/stories260K.md: `./run stories260K.bin -z tok512.bin -t 0.0` (256 steps, stops at BOS).
    private const string PublishedGreedyText =
        "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. She wanted to play with it, but it was too high.\n" +
        "Lily's mom said, \"Lily, let's go to the park.\" Lily was sad and didn't know what to do. She said, \"I want to play with your ball, but I can't find it.\"\n" +
        "Lily was sad and didn't know what to do. She said, \"I'm sorry, Lily. I didn't know what to do.\"\n" +
        "Lily didn't want to help her mom, so she said, \"I'm sorry, mom. I didn't know what to do.\" Her mom said, \"Don't worry, Lily. We can help you.";

    private static readonly GenerationOptions RunCGreedy = new() { MaxNewTokens = 256, StopTokens = [Bos] };

    [Fact]
    public void Greedy_generation_from_bos_reproduces_the_published_llama2c_text()
    {
        var tokenizer = Llama2cTokenizer.Load(SharedData.RequireFile("models/stories260K/tok512.bin"));

        Assert.Equal(256, binGreedy.Tokens.Length); // run.c samples at positions 0..255; no BOS came, so all 256 count
        Assert.Equal(PublishedGreedyText, tokenizer.Decode([Bos, .. binGreedy.Tokens])); // after BOS the leading space goes
    }

    [Fact]
    public void Gguf_embedded_vocabulary_decodes_the_greedy_tokens_to_the_published_text()
    {
        var metadata = GgufFile.Read(SharedData.RequireFile("models/stories260K/stories260K.gguf")).Metadata;
        var tokenizer = GgufTokenizer.Create(GgufVocabulary.FromMetadata(metadata));

        Assert.Equal(PublishedGreedyText, tokenizer.Decode([Bos, .. binGreedy.Tokens]));
    }

    [Fact]
    public void Prompted_greedy_generation_reproduces_the_published_64_step_text()
    {
        // A public llama2.c port pins `./run stories260K.bin -z tok512.bin -t 0 -n 64 -i "Once upon a time"`:
        // 64 positions = BOS + 4 prompt tokens + 59 more fed back + the last sampled one, i.e. 60 new tokens.
        var tokenizer = Llama2cTokenizer.Load(SharedData.RequireFile("models/stories260K/tok512.bin"));
        using var model = ModelLoader.Load(SharedData.RequireFile("models/stories260K/stories260K.bin"), ModelRuntimeOptions.Cpu).Model;
        int[] prompt = [Bos, .. tokenizer.Encode("Once upon a time")];

        var generated = TextGenerator.Generate(model, [prompt], new GenerationOptions { MaxNewTokens = 64 - prompt.Length + 1, StopTokens = [Bos] })[0];

        Assert.Equal([Bos, 403, 407, 261, 378], prompt);
        Assert.Equal(
            "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. She wanted to play with it, but it was too high.\nLily",
            tokenizer.Decode([.. prompt, .. generated]));
    }

    [Fact]
    public void Next_token_probabilities_after_the_prompt_match_the_published_distribution()
    {
        // Published for these two files: after "Once upon a time" (T = 1), "," has 96.9% and " there" 2.9%.
        var tokenizer = Llama2cTokenizer.Load(SharedData.RequireFile("models/stories260K/tok512.bin"));
        using var model = ModelLoader.Load(SharedData.RequireFile("models/stories260K/stories260K.bin"), ModelRuntimeOptions.Cpu).Model;
        int[] prompt = [Bos, .. tokenizer.Encode("Once upon a time")];
        using var scope = TorchSharp.torch.NewDisposeScope();

        const int comma = 432, there = 383; // tok512.bin pieces "," and " there"

        var scored = CompletionLogProbs.Compute(
            model, [new LogProbRequest(prompt, [comma]), new LogProbRequest(prompt, [there])], LogProbMode.Inference).ToSequences();

        Assert.Equal((",", " there"), (tokenizer.Piece(comma), tokenizer.Piece(there)));
        Assert.Equal(96.9, Math.Round(100 * Math.Exp(scored[0].Sum), 1));
        Assert.Equal(2.9, Math.Round(100 * Math.Exp(scored[1].Sum), 1));
    }

    [Fact]
    public void Gguf_file_generates_the_same_tokens_as_the_llama2c_file()
    {
        using var gguf = ModelLoader.Load(SharedData.RequireFile("models/stories260K/stories260K.gguf"), ModelRuntimeOptions.Cpu).Model;

        var fromGguf = TextGenerator.Generate(gguf, [[Bos]], RunCGreedy)[0];

        Assert.Equal(binGreedy.Tokens, fromGguf);
    }

    [Fact]
    public void Loaded_configs_are_the_published_stories260K_architecture()
    {
        var loaded = ModelLoader.Load(SharedData.RequireFile("models/stories260K/stories260K.gguf"), ModelRuntimeOptions.Cpu);
        using var model = loaded.Model;

        var config = Assert.IsType<Models.LlamaModel>(model).Config;
        Assert.Equal((64, 172, 5, 8, 4, 512), (config.HiddenSize, config.IntermediateSize, config.NumLayers, config.NumHeads, config.NumKvHeads, config.VocabSize));
        Assert.True(config.TieWordEmbeddings);
        Assert.Equal(1e-5, config.RmsNormEps, 1e-9);
        Assert.Equal(260_032, model.NamedParameters().Sum(p => p.Parameter.numel()));
        Assert.Equal("270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d".Length, loaded.ContentHash.Length);
    }

    /// <summary>Greedy tokens of stories260K.bin from BOS, generated once for the class.</summary>
    public sealed class BinGreedy
    {
        private readonly Lazy<int[]> tokens = new(() =>
        {
            using var model = ModelLoader.Load(SharedData.RequireFile("models/stories260K/stories260K.bin"), ModelRuntimeOptions.Cpu).Model;
            return TextGenerator.Generate(model, [[Bos]], RunCGreedy)[0];
        });

        public int[] Tokens => tokens.Value;
    }
}
