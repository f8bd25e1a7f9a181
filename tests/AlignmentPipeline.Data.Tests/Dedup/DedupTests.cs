using System.Text.Json.Nodes;

namespace AlignmentPipeline.Data.Tests.Dedup;

public sealed class DedupTests
{
    internal static string Jsonl(IEnumerable<(string Prompt, string Chosen, string Rejected)> rows) =>
        string.Join('\n', rows.Select(r => new JsonObject { ["prompt"] = r.Prompt, ["chosen"] = r.Chosen, ["rejected"] = r.Rejected }.ToJsonString()));

    internal static Task<PipelineHarness.Outputs> RunAsync(PipelineHarness harness, string file, string dedupOptions) =>
        harness.RunAsync($"  ingest:\n    kind: ingest\n    inputs: [\"{file}\"]\n  dedup:\n    kind: dedup\n    input: ingest\n" +
                         string.Concat(dedupOptions.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => $"    {l}\n")));

    /// <summary>
    /// Runs ingest (one task per file) → minhash (<paramref name="minhashOptions"/>, one YAML line each) → near-clusters →
    /// near-dedup; the stages are named ingest, signatures, clusters and near.
    /// </summary>
    internal static Task<PipelineHarness.Outputs> RunNearAsync(PipelineHarness harness, IEnumerable<string> files, string minhashOptions) =>
        harness.RunAsync($"  ingest:\n    kind: ingest\n    inputs: [{string.Join(", ", files.Select(f => $"\"{f}\""))}]\n" +
                         "  signatures:\n    kind: minhash\n    input: ingest\n" +
                         string.Concat(minhashOptions.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => $"    {l}\n")) +
                         "  clusters:\n    kind: near-clusters\n    input: signatures\n" +
                         "  near:\n    kind: near-dedup\n    input: [ingest, clusters]\n");

    [Fact]
    public async Task First_occurrence_survives_and_later_duplicates_name_it_in_quarantine()
    {
        using var harness = new PipelineHarness();
        string file = harness.WriteFile("pairs.jsonl", Jsonl([
            ("p", "a", "b"), ("q", "a", "b"), ("p", "a  ", "b"), ("p", "a", "c"), ("p", "A", "b"), (" p", "a", "b\n")]));
        var outputs = await RunAsync(harness, file, "key: pair");

        var kept = await outputs.PairsAsync("dedup");
        Assert.Equal([":1", ":2", ":4", ":5"], kept.Select(p => p.Source[p.Source.LastIndexOf(':')..]));
        var ingested = await outputs.PairsAsync("ingest");
        var dropped = await outputs.QuarantineAsync("dedup");
        Assert.Equal([ingested[2].Id, ingested[5].Id], dropped.Select(q => q.Source));
        Assert.All(dropped, q => Assert.Equal(("duplicate", $"duplicate of {ingested[0].Id} (key: pair)"), (q.Reason, q.Detail)));
        var stats = await outputs.StatsAsync("dedup");
        Assert.Equal(2, stats["dropped"]!["duplicate"]!.GetValue<long>());
        Assert.Equal(1, stats["exact_duplicate_groups"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("prompt", "1 2")]
    [InlineData("prompt_chosen", "1 2 4")]
    public async Task Key_chooses_the_fields_that_make_a_duplicate(string key, string expectedLines)
    {
        using var harness = new PipelineHarness();
        string file = harness.WriteFile("pairs.jsonl", Jsonl([("p", "a", "b"), ("q", "a", "b"), ("p", "a", "c"), ("p", "z", "c")]));
        var outputs = await RunAsync(harness, file, $"key: {key}");

        Assert.Equal(expectedLines, string.Join(' ', (await outputs.PairsAsync("dedup")).Select(p => p.Source[(p.Source.LastIndexOf(':') + 1)..])));
    }

    [Fact]
    public async Task Max_per_prompt_keeps_the_first_pairs_of_each_prompt_after_exact_dedup()
    {
        using var harness = new PipelineHarness();
        string file = harness.WriteFile("pairs.jsonl", Jsonl([
            ("p", "a", "b"), ("p", "a", "b"), ("q", "a", "b"), ("p", "c", "d"), ("p", "e", "f"), ("q", "c", "d"), ("q", "e", "f")]));
        var outputs = await RunAsync(harness, file, "max_per_prompt: 2\npartitions: 3");

        Assert.Equal("1 3 4 6", string.Join(' ', (await outputs.PairsAsync("dedup")).Select(p => p.Source[(p.Source.LastIndexOf(':') + 1)..])));
        var reasons = (await outputs.QuarantineAsync("dedup")).Select(q => q.Reason).ToList();
        Assert.Equal(["duplicate", "max_per_prompt", "max_per_prompt"], reasons);
    }

    [Fact]
    public async Task Output_parts_cut_the_kept_pairs_evenly_in_input_order()
    {
        using var harness = new PipelineHarness();
        var rows = Enumerable.Range(0, 10).Select(i => ($"p{i}", "a", "b")).Append(("p3", "a", "b")).ToList();
        string file = harness.WriteFile("pairs.jsonl", Jsonl(rows));
        var one = await RunAsync(harness, file, "output_parts: 1");
        var three = await RunAsync(harness, file, "output_parts: 3");

        Assert.Single(one["dedup"].Parts);
        var counts = new List<int>();
        foreach (string part in three["dedup"].Parts)
        {
            counts.Add((await three.PairsAsync([part])).Count);
        }

        Assert.Equal([3, 3, 4], counts); // 10 kept: [0, 10/3), [10/3, 20/3), [20/3, 10)
        Assert.Equal((await one.PairsAsync("dedup")).Select(p => p.Id), (await three.PairsAsync("dedup")).Select(p => p.Id));
    }

    [Fact]
    public void Near_under_dedup_is_an_error_that_names_the_three_near_dedup_stages()
    {
        using var harness = new PipelineHarness();
        string file = harness.WriteFile("pairs.jsonl", Jsonl([("p", "a", "b")]));
        var error = Assert.Throws<AlignmentPipeline.Core.Configuration.ConfigException>(
            () => RunAsync(harness, file, "near: {ngram: 5, bands: 14, rows_per_band: 8}").GetAwaiter().GetResult());

        Assert.Contains("kind: minhash", error.Message, StringComparison.Ordinal);
        Assert.Contains("kind: near-clusters", error.Message, StringComparison.Ordinal);
        Assert.Contains("kind: near-dedup", error.Message, StringComparison.Ordinal);
    }
}
