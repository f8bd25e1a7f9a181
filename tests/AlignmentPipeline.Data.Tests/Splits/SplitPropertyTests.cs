using System.Text.Json.Nodes;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Splits;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AlignmentPipeline.Data.Tests.Splits;

/// <summary>
/// Split invariants through the split stage: the same corpus splits the same way every time, and a corpus with rows
/// appended (in another file, in shuffled order) leaves every earlier row in its split. Prompts come from a small
/// alphabet so that rows sharing a prompt are common.
/// </summary>
public sealed class SplitPropertyTests
{
    private static readonly string[] Prompts = ["a", "b", "c", "d", "e", "f", "g", "h", " a", "A"];

    private static Arbitrary<(string Prompt, int Answer)[]> Corpora() =>
        Gen.Elements(Prompts).Zip(Gen.Choose(0, 1_000_000)).Select(t => (t.Item1, t.Item2)).ListOf().Select(rows => rows.ToArray()).ToArbitrary();

    [Property(MaxTest = 8)]
    public Property Splits_are_deterministic_and_stable_under_appends() => Prop.ForAll(Corpora(), Corpora(), Gen.Choose(0, 1000).ToArbitrary(), (before, appended, seed) =>
    {
        var first = SplitOf(before, [], seed);
        var again = SplitOf(before, [], seed);
        var shuffled = appended.ToArray();
        new Random(seed).Shuffle(shuffled);
        var grown = SplitOf(before, shuffled, seed);
        bool samePrompt = grown.GroupBy(r => ContentId.Normalize(r.Key.Prompt)).All(g => g.Select(r => r.Value).Distinct().Count() == 1);
        return first.Count == again.Count && first.All(r => again[r.Key] == r.Value && grown[r.Key] == r.Value) && samePrompt;
    });

    /// <summary>The split of each row (keyed by prompt and answer) after ingest → split over the corpus and its appended file.</summary>
    private static Dictionary<(string Prompt, int Answer), string> SplitOf((string Prompt, int Answer)[] before, (string Prompt, int Answer)[] appended, int seed)
    {
        using var harness = new PipelineHarness();
        string inputs = $"\"{harness.WriteFile("a.jsonl", Jsonl(before))}\"" + (appended.Length == 0 ? "" : $", \"{harness.WriteFile("b.jsonl", Jsonl(appended))}\"");
        var outputs = harness.RunAsync(
            $"  ingest:\n    kind: ingest\n    inputs: [{inputs}]\n" +
            $"  split:\n    kind: split\n    input: ingest\n    fractions: {{train: 0.5, eval: 0.3, test: 0.2}}\n    seed: {seed}\n",
            [.. DataStageKinds.All, SplitStage.Kind]).GetAwaiter().GetResult();
        var splits = new Dictionary<(string, int), string>();
        foreach (string split in new[] { "train", "eval", "test" })
        {
            foreach (var pair in outputs.PairsAsync(outputs["split"].SplitParts(split)).GetAwaiter().GetResult())
            {
                splits[(pair.Prompt, int.Parse(pair.Chosen[1..], System.Globalization.CultureInfo.InvariantCulture))] = split;
            }
        }

        return splits;
    }

    private static string Jsonl((string Prompt, int Answer)[] rows) =>
        string.Join('\n', rows.Select(r => new JsonObject { ["prompt"] = r.Prompt, ["chosen"] = $"c{r.Answer}", ["rejected"] = "no" }.ToJsonString()));
}
