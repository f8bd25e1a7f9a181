namespace AlignmentPipeline.Data.Tests.Dedup;

/// <summary>What the near-dedup options change: character shingles and the exact Jaccard check of LSH candidates.</summary>
public sealed class NearDedupOptionTests
{
    private static readonly string Original = string.Join(' ', Enumerable.Range(0, 30).Select(i => $"word{i}lengthy"));

    /// <summary>The original with one character changed in every third word: 10 of 30 words differ.</summary>
    private static readonly string Typos = string.Join(' ', Enumerable.Range(0, 30).Select(i => i % 3 == 0 ? $"word{i}lengtyh" : $"word{i}lengthy"));

    [Theory]
    [InlineData("word", 0)]
    [InlineData("char", 1)]
    public async Task Character_shingles_see_through_typos_that_break_every_word_trigram(string unit, int expectedDrops)
    {
        // Word 3-grams: every trigram holds a changed word, so the sets are disjoint (Jaccard 0). Character 5-grams: one
        // swap touches at most 5 of a word's ~18 shingles, so most shingles survive (Jaccard ≈ 0.8).
        using var harness = new PipelineHarness();
        string file = harness.WriteFile("docs.jsonl", DedupTests.Jsonl([(Original, "a", "b"), (Typos, "c", "d")]));
        var outputs = await DedupTests.RunNearAsync(harness, [file], $"ngram: {(unit == "word" ? 3 : 5)}\nunit: {unit}\nbands: 20\nrows_per_band: 5\nfield: prompt");

        Assert.Equal(expectedDrops, (await outputs.QuarantineAsync("near")).Count(q => q.Reason == "near_duplicate"));
    }

    [Fact]
    public async Task Jaccard_check_rejects_candidates_that_loose_lsh_bands_join()
    {
        // Two prompts sharing 10 of 20 distinct words: word-1-gram Jaccard 10/30 ≈ 0.33. With 64 bands of one row each,
        // they share a band with probability 1 − (1 − 0.33)^64 ≈ 1, so without the check they are one cluster.
        string shared = string.Join(' ', Enumerable.Range(0, 10).Select(i => $"common{i}"));
        string first = shared + " " + string.Join(' ', Enumerable.Range(0, 10).Select(i => $"left{i}"));
        string second = shared + " " + string.Join(' ', Enumerable.Range(0, 10).Select(i => $"right{i}"));
        foreach (var (check, drops) in new[] { ("", 1), ("\njaccard_check: 0.8", 0) })
        {
            using var harness = new PipelineHarness();
            string file = harness.WriteFile("docs.jsonl", DedupTests.Jsonl([(first, "a", "b"), (second, "c", "d")]));
            var outputs = await DedupTests.RunNearAsync(harness, [file], $"ngram: 1\nbands: 64\nrows_per_band: 1\nfield: prompt{check}");

            Assert.Equal(drops, (await outputs.QuarantineAsync("near")).Count);
            var near = (await outputs.StatsAsync("near"))["near"]!;
            long candidates = near["candidate_pairs"]!.GetValue<long>();
            Assert.InRange(candidates, 1, 64); // one per shared band
            Assert.Equal(check.Length == 0 ? 0 : candidates, near["rejected_by_jaccard"]!.GetValue<long>());
        }
    }
}
