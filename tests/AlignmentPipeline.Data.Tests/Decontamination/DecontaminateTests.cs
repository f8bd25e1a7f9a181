using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Data.Splits;

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

    [Fact]
    public async Task Eval_set_may_be_the_eval_split_of_a_split_stage_and_only_that_split_counts()
    {
        using var harness = new PipelineHarness();
        var questions = Enumerable.Range(0, 12).Select(i => $"Question {i}: describe in plain words how a kettle number {i} boils water on a gas stove at home").ToList();
        string heldout = harness.WriteFile("heldout.jsonl", string.Join('\n', questions.Select(q => Row(q))));
        string train = harness.WriteFile("train.jsonl", string.Join('\n', questions.Select(q => Row(q, "yes", "no"))));
        var outputs = await harness.RunAsync(
            $"  heldout:\n    kind: ingest\n    inputs: [\"{heldout}\"]\n  halves:\n    kind: split\n    input: heldout\n    fractions: {{train: 0.5, eval: 0.5}}\n" +
            $"  train:\n    kind: ingest\n    inputs: [\"{train}\"]\n  clean:\n    kind: decontaminate\n    input: train\n    eval: [halves]\n",
            [.. DataStageKinds.All, SplitStage.Kind]);

        // Which questions the split put in eval/ is read back from its output, independently of decontaminate.
        var evalPairs = await outputs.PairsAsync(outputs["halves"].SplitParts("eval"));
        var trainSplit = await outputs.PairsAsync(outputs["halves"].SplitParts("train"));
        Assert.NotEmpty(evalPairs);
        Assert.NotEmpty(trainSplit);

        var dropped = await outputs.QuarantineAsync("clean");
        Assert.Equal(evalPairs.Select(p => p.Prompt).Order(), dropped.Select(d => System.Text.Json.Nodes.JsonNode.Parse(d.Raw!)!["prompt"]!.GetValue<string>()).Order());
        Assert.All(dropped, d => Assert.Matches(@"with eval item halves/eval:[0-9a-f]{32}$", d.Detail));
        Assert.Equal(trainSplit.Select(p => p.Prompt).Order(), (await outputs.PairsAsync("clean")).Select(p => p.Prompt).Order());
        Assert.Equal(evalPairs.Count, (await outputs.StatsAsync("clean"))["eval_items"]!.GetValue<int>());
        string card = System.Text.Encoding.UTF8.GetString(await harness.Storage.ReadAllBytesAsync(outputs["clean"].Path("card.md"), TestContext.Current.CancellationToken));
        Assert.Contains($"| eval stage `halves` split `eval` | fingerprint `{outputs["halves"].Fingerprint}` |", card);
    }

    [Fact]
    public async Task An_eval_split_the_split_stage_does_not_have_is_an_error_naming_the_splits_it_has()
    {
        using var harness = new PipelineHarness();
        string corpus = harness.WriteFile("pairs.jsonl", string.Join('\n', Enumerable.Range(0, 20).Select(i => Row($"prompt number {i}"))));
        string yaml = $"  ingest:\n    kind: ingest\n    inputs: [\"{corpus}\"]\n  split:\n    kind: split\n    input: ingest\n" +
                      "  clean:\n    kind: decontaminate\n    input: ingest\n    eval: [split]\n    eval_split: test\n";

        var error = await Assert.ThrowsAsync<AlignmentPipeline.Core.UserErrorException>(() => harness.RunAsync(yaml, [.. DataStageKinds.All, SplitStage.Kind]));
        Assert.Equal("decontaminate: stage 'split' has no split 'test' (its splits: eval, train); set 'eval_split' to one of them", error.Message);
    }
}
