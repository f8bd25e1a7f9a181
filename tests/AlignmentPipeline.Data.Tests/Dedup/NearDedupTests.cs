namespace AlignmentPipeline.Data.Tests.Dedup;

/// <summary>
/// Near dedup against generated truth: 400 documents of 100 words drawn from 3,000, and for 200 of them one or two
/// variants with 2 words replaced (word-3-gram Jaccard with the original ≥ 0.88 by construction). Every variant should
/// be dropped with its original as survivor; no original should be dropped.
/// </summary>
public sealed class NearDedupTests
{
    [Theory]
    [InlineData("ngram: 3\nbands: 20\nrows_per_band: 5\nseed: 7\nfield: prompt")]
    [InlineData("ngram: 3\nbands: 20\nrows_per_band: 5\nseed: 7\nfield: prompt\njaccard_check: 0.7\npartitions: 8")]
    public async Task Near_duplicates_are_found_with_high_recall_and_few_false_positives(string near)
    {
        var random = new Random(1234);
        var vocabulary = Enumerable.Range(0, 3000).Select(i => $"w{i}x{random.Next(1000)}").ToArray();
        var rows = new List<(string Prompt, string Chosen, string Rejected)>();
        var originalOf = new List<int>();
        var documents = new List<string[]>();
        for (int d = 0; d < 400; d++)
        {
            documents.Add(Enumerable.Range(0, 100).Select(_ => vocabulary[random.Next(vocabulary.Length)]).ToArray());
            rows.Add((string.Join(' ', documents[d]), $"chosen {d}", $"rejected {d}"));
            originalOf.Add(-1);
        }

        for (int d = 0; d < 200; d++)
        {
            for (int v = 0; v < 1 + d % 2; v++)
            {
                var words = (string[])documents[d].Clone();
                for (int r = 0; r < 2; r++)
                {
                    words[random.Next(words.Length)] = vocabulary[random.Next(vocabulary.Length)];
                }

                rows.Add((string.Join(' ', words), $"variant chosen {d}.{v}", $"variant rejected {d}.{v}"));
                originalOf.Add(d);
            }
        }

        using var harness = new PipelineHarness();
        string file = harness.WriteFile("docs.jsonl", DedupTests.Jsonl(rows));
        var outputs = await DedupTests.RunNearAsync(harness, [file], near);

        var ingested = await outputs.PairsAsync("ingest");
        var line = ingested.Select((p, i) => (p.Id, i)).ToDictionary(x => x.Id, x => x.i);
        var dropped = (await outputs.QuarantineAsync("near")).Where(q => q.Reason == "near_duplicate").ToList();
        int variants = originalOf.Count(o => o >= 0);
        int truePositives = dropped.Count(q => originalOf[line[q.Source]] >= 0);
        int falsePositives = dropped.Count - truePositives;
        double recall = (double)truePositives / variants;
        double falsePositiveRate = (double)falsePositives / 400;
        Assert.True(recall >= 0.95, $"recall {recall:P1} ({truePositives} of {variants})");
        Assert.True(falsePositiveRate <= 0.01, $"false-positive rate {falsePositiveRate:P2} ({falsePositives} of 400 originals dropped)");
        foreach (var q in dropped.Where(q => originalOf[line[q.Source]] >= 0))
        {
            Assert.Equal($"near duplicate of {ingested[originalOf[line[q.Source]]].Id} (same MinHash cluster)", q.Detail);
        }

        var stats = (await outputs.StatsAsync("near"))["near"]!;
        Assert.Equal(truePositives + falsePositives, stats["rows_in_clusters"]!.GetValue<int>() - stats["clusters"]!.GetValue<int>());
        Assert.Equal(3, stats["max_cluster_size"]!.GetValue<int>());
    }
}
