using AlignmentPipeline.TestSupport;
using System.Text.Json.Nodes;

namespace AlignmentPipeline.Data.Tests.Ingest;

/// <summary>Ingest of the real files in shared/data (see its PROVENANCE.md); skipped with the reason when absent.</summary>
public sealed class RealDataTests
{
    [Fact]
    public async Task Hh_harmless_test_ingests_every_row_and_splits_the_four_tricky_rows_at_the_shared_boundary()
    {
        string file = SharedData.RequireFile("preferences/hh-rlhf-harmless-base/test.jsonl.gz");
        using var harness = new PipelineHarness();
        var outputs = await IngestRun.RunAsync(harness, file);

        var pairs = await outputs.PairsAsync("ingest");
        Assert.Equal(2312, pairs.Count);
        Assert.Empty(await outputs.QuarantineAsync("ingest"));
        Assert.Equal(4, pairs.Count(p => p.Chosen.Trim().Length == 0));
        Assert.Equal("hh_transcript", (await outputs.StatsAsync("ingest"))["sources"]![0]!["format"]!.GetValue<string>());
        Assert.All(pairs, p => Assert.EndsWith("\n\nAssistant:", p.Prompt));

        // Prompt lengths in code points, from an independent Python pass: the largest end of an "\n\nAssistant:" in
        // chosen whose prefix also starts rejected. Splitting at chosen's last marker would give 318, 506, 363, 1799.
        var expected = new Dictionary<int, int> { [1254] = 142, [1688] = 199, [1952] = 308, [2036] = 1472 };
        foreach (var (line, length) in expected)
        {
            var pair = pairs[line];
            Assert.EndsWith($":{line + 1}", pair.Source);
            Assert.Equal(length, pair.Prompt.EnumerateRunes().Count());
            Assert.NotEqual(pair.Chosen.Trim(), pair.Rejected.Trim());
        }

        Assert.StartsWith(" Human: I think there's an easier way to", pairs[1688].Chosen);
        Assert.StartsWith(" I'd suggest that you do it between 3 AM", pairs[1688].Rejected);
    }

    [Fact]
    public async Task PandaLm_majority_vote_gives_894_pairs_before_string_checks_and_836_after()
    {
        string file = SharedData.RequireFile("preferences/pandalm-testset/testset-v1.json");
        using var harness = new PipelineHarness();
        var outputs = await IngestRun.RunAsync(harness, file, "fields: {id: idx}");

        var stats = await outputs.StatsAsync("ingest");
        var dropped = stats["dropped"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<long>());
        // Counts from an independent Python pass over the JSON: majority 0 on 105 rows (ties); of the 894 decided
        // rows, 6 have a boolean response and 52 an empty (or blank) chosen or rejected response.
        Assert.Equal(999, stats["rows_in"]!.GetValue<long>());
        Assert.Equal(new Dictionary<string, long> { ["empty_response"] = 52, ["not_a_string"] = 6, ["tie"] = 105 }, dropped);
        Assert.Equal(894, 836 + dropped["empty_response"] + dropped["not_a_string"]);
        var pairs = await outputs.PairsAsync("ingest");
        Assert.Equal(836, pairs.Count);
        Assert.Equal(836, pairs.Select(p => p.Id).Distinct().Count());
        Assert.All(pairs, p => Assert.NotEqual(0, JsonNode.Parse(p.Metadata!)!["winner"]!.GetValue<int>()));
        var boolean = (await outputs.QuarantineAsync("ingest")).Where(q => q.Reason == "not_a_string").ToList();
        Assert.Contains(boolean, q => q.Raw!.Contains("\"idx\":157", StringComparison.Ordinal) && q.Detail.Contains("a boolean", StringComparison.Ordinal));
    }
}
