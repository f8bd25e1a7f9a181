using AlignmentPipeline.Data.Records;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AlignmentPipeline.Data.Tests.Dedup;

/// <summary>Exact dedup invariants over generated corpora with many collisions (a tiny alphabet of texts).</summary>
public sealed class DedupPropertyTests
{
    private static readonly string[] Texts = ["a", "b", "c", " a", "a ", "A"];

    private static Arbitrary<(string, string, string)[]> Corpora() =>
        Gen.Elements(Texts).Three().ListOf().Select(rows => rows.Where(r => r.Item2.Trim() != r.Item3.Trim()).ToArray()).ToArbitrary();

    [Property(MaxTest = 12)]
    public Property Dedup_is_idempotent() => Prop.ForAll(Corpora(), rows =>
    {
        using var harness = new PipelineHarness();
        string file = harness.WriteFile("pairs.jsonl", DedupTests.Jsonl(rows));
        var outputs = harness.RunAsync(
            $"  ingest:\n    kind: ingest\n    inputs: [\"{file}\"]\n  once:\n    kind: dedup\n    input: ingest\n    partitions: 3\n" +
            "  twice:\n    kind: dedup\n    input: once\n    partitions: 5\n").GetAwaiter().GetResult();
        var once = outputs.PairsAsync("once").GetAwaiter().GetResult();
        var twice = outputs.PairsAsync("twice").GetAwaiter().GetResult();
        return once.SequenceEqual(twice) && outputs.QuarantineAsync("twice").GetAwaiter().GetResult().Count == 0;
    });

    [Property(MaxTest = 12)]
    public Property Kept_keys_do_not_depend_on_input_order_and_are_exactly_the_distinct_keys() => Prop.ForAll(Corpora(), Gen.Choose(0, 1000).ToArbitrary(), (rows, seed) =>
    {
        var shuffled = rows.OrderBy(_ => Random.Shared.Next()).ToArray();
        new Random(seed).Shuffle(shuffled);
        var forward = KeptKeys(rows);
        var backward = KeptKeys(shuffled);
        var distinct = rows.Select(r => Key(r.Item1, r.Item2, r.Item3)).ToHashSet();
        return forward.SetEquals(backward) && forward.SetEquals(distinct) && forward.Count == KeptCount(rows);
    });

    private static HashSet<string> KeptKeys((string, string, string)[] rows) =>
        Kept(rows).Select(p => Key(p.Prompt, p.Chosen, p.Rejected)).ToHashSet();

    private static int KeptCount((string, string, string)[] rows) => Kept(rows).Count;

    private static List<PreferencePair> Kept((string, string, string)[] rows)
    {
        using var harness = new PipelineHarness();
        string file = harness.WriteFile("pairs.jsonl", DedupTests.Jsonl(rows));
        var outputs = DedupTests.RunAsync(harness, file, "partitions: 4").GetAwaiter().GetResult();
        return outputs.PairsAsync("dedup").GetAwaiter().GetResult();
    }

    private static string Key(string prompt, string chosen, string rejected) =>
        $"{ContentId.Normalize(prompt)}|{ContentId.Normalize(chosen)}|{ContentId.Normalize(rejected)}";
}
