using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Storage;

namespace AlignmentPipeline.Data.Tests.Decontamination;

public sealed class DecontaminateTests
{
    private const string EvalQuestion = "Explain why the sky appears blue during the day but red and orange at sunset in simple terms";

    private static string Row(string prompt, string chosen = "a", string rejected = "b") =>
        new JsonObject { ["prompt"] = prompt, ["chosen"] = chosen, ["rejected"] = rejected }.ToJsonString();

    [Fact]
    public async Task Prompts_copying_an_eval_item_are_dropped_with_the_item_named_despite_case_and_punctuation()
    {
        using var harness = new PipelineHarness();
        string train = harness.WriteFile("train.jsonl", string.Join('\n',
            Row("Please: EXPLAIN why the sky appears blue, during the day but red and orange at sunset in simple terms!"),
            Row("Explain why the sky appears blue during the day"),
            Row("Write a poem about the sea and the wind and the salt and the gulls over the harbour at dawn")));
        string eval = harness.WriteFile("eval.jsonl", string.Join('\n',
            new JsonObject { ["question"] = "What is the capital of France?" }.ToJsonString(),
            new JsonObject { ["question"] = EvalQuestion }.ToJsonString()));
        var outputs = await harness.RunAsync(
            $"  ingest:\n    kind: ingest\n    inputs: [\"{train}\"]\n  clean:\n    kind: decontaminate\n    input: ingest\n    eval: [\"{eval}\"]\n    eval_field: question\n");

        Assert.Equal(2, (await outputs.PairsAsync("clean")).Count);
        var dropped = Assert.Single(await outputs.QuarantineAsync("clean"));
        Assert.Equal("eval_overlap", dropped.Reason);
        // The cleaned prompt has 19 words (7 distinct 13-grams); the eval item has 18 words (6 13-grams), all inside it: 6/7.
        Assert.Matches(@"^prompt shares 6 of its 7 13-grams \(86 ?%\) with eval item \S*/eval\.jsonl:2$", dropped.Detail);
        var stats = await outputs.StatsAsync("clean");
        Assert.Equal(2, stats["eval_items"]!.GetValue<int>());
        Assert.Equal(1, stats["matched_eval_items"]!.GetValue<int>());
    }

    [Fact]
    public async Task Eval_set_may_be_another_stage_and_the_threshold_keeps_small_overlaps()
    {
        using var harness = new PipelineHarness();
        string train = harness.WriteFile("train.jsonl", string.Join('\n',
            Row(EvalQuestion + " and then write a long story about a dragon who collects rare stamps from every country of the world"),
            Row(EvalQuestion + " please")));
        string eval = harness.WriteFile("eval.jsonl", Row(EvalQuestion, "x", "y"));
        var outputs = await harness.RunAsync(
            $"  train:\n    kind: ingest\n    inputs: [\"{train}\"]\n  heldout:\n    kind: ingest\n    inputs: [\"{eval}\"]\n" +
            "  clean:\n    kind: decontaminate\n    input: train\n    eval: [heldout]\n    threshold: 0.5\n");

        var kept = Assert.Single(await outputs.PairsAsync("clean"));
        Assert.Contains("dragon", kept.Prompt);
        var heldout = Assert.Single(await outputs.PairsAsync("heldout"));
        Assert.EndsWith($"with eval item heldout:{heldout.Id}", Assert.Single(await outputs.QuarantineAsync("clean")).Detail);
        string card = System.Text.Encoding.UTF8.GetString(await harness.Storage.ReadAllBytesAsync(outputs["clean"].Path("card.md"), TestContext.Current.CancellationToken));
        Assert.Contains($"| eval stage `heldout` | fingerprint `{outputs["heldout"].Fingerprint}` |", card);
        Assert.Contains("| in | 2 |\n| out | 1 |\n| dropped: `eval_overlap` | 1 |\n", card);
    }
}
