using AlignmentPipeline.Evaluation.Judges.Llm;
using AlignmentPipeline.TestSupport;

namespace AlignmentPipeline.Evaluation.Tests.Judges;

public sealed class JudgmentCacheTests
{
    private static readonly string[] Parts = ["model", "http://x/v1", "template", "prompt", "candidate", "baseline", "candidate_first"];

    private static string Key(string[] parts) => JudgmentCache.Key(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], parts[6]);

    [Fact]
    public void The_key_changes_when_any_input_changes_and_field_boundaries_matter()
    {
        var keys = Enumerable.Range(0, Parts.Length)
            .Select(i => Key(Parts.Select((p, j) => j == i ? p + "!" : p).ToArray()))
            .Append(Key(Parts))
            .Append(Key(["model", "http://x/v1", "template", "promptc", "andidate", "baseline", "candidate_first"]))
            .ToList();

        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.Matches("^[0-9a-f]{64}$", Key(Parts));
    }

    [Fact]
    public async Task Answers_survive_reopening_and_a_line_cut_short_by_a_crash_is_skipped()
    {
        using var directory = new TempDirectory("cache");
        var path = directory.File("cache.jsonl");
        var cache = JudgmentCache.Open(path);
        await cache.AddAsync("k1", new CachedOrderVerdict(OrderVerdict.A, null, "reason\n[[A]]"), TestContext.Current.CancellationToken);
        await cache.AddAsync("k2", new CachedOrderVerdict(null, "refusal", "No."), TestContext.Current.CancellationToken);
        await File.AppendAllTextAsync(path, "{\"key\": \"k3\", \"verd", TestContext.Current.CancellationToken);

        var reopened = JudgmentCache.Open(path);

        Assert.Equal(2, reopened.Count);
        Assert.True(reopened.TryGet("k1", out var first));
        Assert.Equal(new CachedOrderVerdict(OrderVerdict.A, null, "reason\n[[A]]"), first);
        Assert.True(reopened.TryGet("k2", out var second));
        Assert.Equal(("refusal", (OrderVerdict?)null), (second.InvalidReason, second.Verdict));
        Assert.False(reopened.TryGet("k3", out _));
    }
}
