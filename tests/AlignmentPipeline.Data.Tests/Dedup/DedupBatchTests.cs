namespace AlignmentPipeline.Data.Tests.Dedup;

public sealed class DedupBatchTests
{
    [Fact]
    public async Task Duplicates_across_hash_batches_keep_the_first_row_of_the_input()
    {
        // 9,000 distinct pairs (hashing runs in batches of 4,096 rows), then a copy of rows 4,095 and 4,096 (the last of
        // the first batch and the first of the second) and of row 8,999, with extra white space.
        var rows = Enumerable.Range(0, 9000).Select(i => ($"prompt {i}", $"chosen {i}", $"rejected {i}")).ToList();
        rows.AddRange([("prompt  4095", "chosen 4095", "rejected 4095"), ("prompt 4096 ", "chosen 4096", "rejected 4096"), ("prompt 8999", "chosen\n8999", "rejected 8999")]);
        using var harness = new PipelineHarness();
        string file = harness.WriteFile("pairs.jsonl", DedupTests.Jsonl(rows));
        var outputs = await DedupTests.RunAsync(harness, file, "key: pair\nmax_per_prompt: 1");

        var kept = await outputs.PairsAsync("dedup");
        Assert.Equal(Enumerable.Range(1, 9000), kept.Select(p => int.Parse(p.Source[(p.Source.LastIndexOf(':') + 1)..])));
        var ingested = await outputs.PairsAsync("ingest");
        var dropped = await outputs.QuarantineAsync("dedup");
        Assert.Equal([ingested[9000].Id, ingested[9001].Id, ingested[9002].Id], dropped.Select(q => q.Source));
        Assert.Equal(
            [$"duplicate of {ingested[4095].Id} (key: pair)", $"duplicate of {ingested[4096].Id} (key: pair)", $"duplicate of {ingested[8999].Id} (key: pair)"],
            dropped.Select(q => q.Detail));
    }
}
