using System.Globalization;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Splits;

namespace AlignmentPipeline.Data.Tests.Cards;

/// <summary>
/// A generated corpus through ingest → dedup → filter → decontaminate → split. 20 distinct pairs (prompts
/// "question number i tell me about topic i"; pairs 5 and 6 have 300-character chosen responses), 3 exact copies of
/// pairs 0–2, one line of invalid JSON, one pair with an empty response and one blank line. The eval set holds pair
/// 7's prompt. Expected: ingest 25 rows in (the blank line is not a row), 23 out; dedup drops the 3 copies; the filter
/// drops 5 and 6 as too long; decontaminate drops 7; split keeps all 17.
/// </summary>
public sealed class DataCardTests
{
    private static readonly string[] Stages = ["ingest", "dedup", "filter", "clean", "split"];
    private static readonly string[] Fields = ["prompt", "chosen", "rejected"];

    [Fact]
    public async Task Every_dataset_stage_writes_a_card_with_its_counts_sources_and_length_histograms()
    {
        using var harness = new PipelineHarness();
        var outputs = await harness.RunAsync(Pipeline(harness), [.. DataStageKinds.All, SplitStage.Kind]);

        var cards = new Dictionary<string, string>();
        foreach (string stage in Stages)
        {
            Assert.Contains("card.md", outputs[stage].Files);
            cards[stage] = System.Text.Encoding.UTF8.GetString(await harness.Storage.ReadAllBytesAsync(outputs[stage].Path("card.md"), TestContext.Current.CancellationToken));
            Assert.StartsWith($"# Data card: {stage}\n", cards[stage]);
            Assert.Contains($"fingerprint `{outputs[stage].Fingerprint}`", cards[stage]);
        }

        Assert.Contains("| in | 25 |\n| out | 23 |\n| dropped: `empty_response` | 1 |\n| dropped: `invalid_json` | 1 |\n| blank lines skipped | 1 |\n", cards["ingest"]);
        string corpus = Path.Combine(harness.Root, "in", "pairs.jsonl");
        Assert.Contains($"sha256 `{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(corpus)))}`", cards["ingest"]);
        Assert.Contains("| in | 23 |\n| out | 20 |\n| dropped: `duplicate` | 3 |\n", cards["dedup"]);
        Assert.Contains($"| stage `ingest` (ingest) | fingerprint `{outputs["ingest"].Fingerprint}` |", cards["dedup"]);
        Assert.Contains("| groups with duplicates | 3 |", cards["dedup"]);
        Assert.Contains("| in | 20 |\n| out | 18 |\n| dropped: `too_long` | 2 |\n", cards["filter"]);
        Assert.Contains("| `identical_responses` | 20 | 0 |\n| `chars` | 20 | 2 |\n", cards["filter"]);
        Assert.Contains("| in | 18 |\n| out | 17 |\n| dropped: `eval_overlap` | 1 |\n", cards["clean"]);
        Assert.Contains("| eval items | 1 |\n| eval items matched by a dropped pair | 1 |", cards["clean"]);
        Assert.Matches(@"\| eval `[^`]*eval\.jsonl` \| sha256 `[0-9a-f]{64}` \|", cards["clean"]);
        Assert.Contains("| in | 17 |\n| out | 17 |\n", cards["split"]);
        Assert.Contains("No row was dropped.", cards["split"]);

        long train = await CountAsync(harness, outputs["split"], "train/"), eval = await CountAsync(harness, outputs["split"], "eval/");
        Assert.Equal(17, train + eval);
        Assert.Contains($"| `eval/` | {eval} | {(eval / 17.0).ToString("0.000", CultureInfo.InvariantCulture)} | 0.5 |", cards["split"]);
        Assert.Contains($"| `train/` | {train} |", cards["split"]);

        foreach (string stage in Stages)
        {
            var pairs = stage == "split"
                ? await outputs.PairsAsync(outputs[stage].Files.Where(f => f.EndsWith(".parquet", StringComparison.Ordinal) && !f.StartsWith("quarantine/", StringComparison.Ordinal)).Select(outputs[stage].Path))
                : await outputs.PairsAsync(stage);
            AssertLengthsMatch(cards[stage], pairs);
            foreach (string field in Fields)
            {
                Assert.Contains($"card/{field}_chars.png", outputs[stage].Files);
                Assert.Contains($"![{field} length histogram](card/{field}_chars.png)", cards[stage]);
                byte[] png = await harness.Storage.ReadAllBytesAsync(outputs[stage].Path($"card/{field}_chars.png"), TestContext.Current.CancellationToken);
                Assert.Equal((640, 400), PngFile.AssertValid(png));
            }
        }
    }

    [Fact]
    public async Task A_rerun_into_fresh_storage_writes_identical_cards_and_plots()
    {
        using var harness = new PipelineHarness();
        string yaml = Pipeline(harness);
        var first = await harness.RunAsync(yaml, [.. DataStageKinds.All, SplitStage.Kind]);
        var otherStorage = new LocalStorage(Path.Combine(harness.Root, "runs-again"));
        var spec = new PipelineLoader(new StageRegistry([.. DataStageKinds.All, SplitStage.Kind])).Load($"name: test\nstages:\n{yaml}", Path.Combine(harness.Root, "pipeline.yaml"));
        await new PipelineRunner(new RunOptions { Storage = otherStorage }).RunAsync(spec, TestContext.Current.CancellationToken);

        foreach (string stage in Stages)
        {
            foreach (string file in first[stage].Files.Where(f => f == "card.md" || f.StartsWith("card/", StringComparison.Ordinal)))
            {
                Assert.Equal(
                    await harness.Storage.ReadAllBytesAsync(first[stage].Path(file), TestContext.Current.CancellationToken),
                    await otherStorage.ReadAllBytesAsync(first[stage].Path(file), TestContext.Current.CancellationToken));
            }
        }
    }

    [Fact]
    public async Task Near_dedup_card_reports_near_duplicate_cluster_sizes()
    {
        var random = new Random(5);
        string[] Document() => Enumerable.Range(0, 40).Select(_ => $"w{random.Next(100_000)}").ToArray();
        var original = Document();
        var rows = new List<(string, string, string)> { (string.Join(' ', original), "c0", "r0") };
        for (int v = 1; v <= 2; v++)
        {
            var variant = (string[])original.Clone();
            variant[v * 10] = $"changed{v}";
            rows.Add((string.Join(' ', variant), $"c{v}", $"r{v}"));
        }

        rows.AddRange(Enumerable.Range(3, 3).Select(i => (string.Join(' ', Document()), $"c{i}", $"r{i}")));
        using var harness = new PipelineHarness();
        var outputs = await Dedup.DedupTests.RunNearAsync(harness, [harness.WriteFile("docs.jsonl", Dedup.DedupTests.Jsonl(rows))],
            "ngram: 3\nbands: 20\nrows_per_band: 3\nfield: prompt");

        string card = System.Text.Encoding.UTF8.GetString(await harness.Storage.ReadAllBytesAsync(outputs["near"].Path("card.md"), TestContext.Current.CancellationToken));
        Assert.Contains("| in | 6 |\n| out | 4 |\n| dropped: `near_duplicate` | 2 |\n", card);
        Assert.Contains("| MinHash | 3-word shingles of `prompt`, 20 bands × 3 rows, seed 0 |", card);
        Assert.Contains("| clusters (size ≥ 2) | 1 |\n| rows in clusters | 3 |\n| mean cluster size | 3.00 |\n| largest cluster | 3 |\n", card);
        Assert.Contains("| rows in cluster | clusters |\n|---|---|\n| 2-3 | 1 |\n", card);
    }

    [Fact]
    public async Task Ingest_card_names_upstream_stage_files_by_stage_and_fingerprint()
    {
        using var harness = new PipelineHarness();
        string corpus = harness.WriteFile("pairs.jsonl", Row("p", "good", "bad") + "\n" + Row("q", "fine", "poor"));
        var outputs = await harness.RunAsync($"  first:\n    kind: ingest\n    inputs: [\"{corpus}\"]\n  again:\n    kind: ingest\n    input: first\n");

        string card = System.Text.Encoding.UTF8.GetString(await harness.Storage.ReadAllBytesAsync(outputs["again"].Path("card.md"), TestContext.Current.CancellationToken));
        Assert.Contains($"| `first/part-00000.parquet` | file of stage `first`, fingerprint `{outputs["first"].Fingerprint}` |", card);
        Assert.Contains("| in | 2 |\n| out | 2 |\n", card);
        Assert.Contains("| `first/part-00000.parquet` | parquet | canonical | 2 | 2 |", card);
    }

    private static string Pipeline(PipelineHarness harness)
    {
        var lines = new List<string>();
        for (int i = 0; i < 20; i++)
        {
            string chosen = i is 5 or 6 ? new string('x', 300) : $"A helpful answer {new string('!', i)}";
            lines.Add(Row($"Question number {i}: tell me about topic {i}", chosen, $"no {i}"));
        }

        lines.AddRange(lines.Take(3).ToList());
        lines.Add("{bad json");
        lines.Add("");
        lines.Add(Row("prompt", "", "rejected"));
        string corpus = harness.WriteFile("pairs.jsonl", string.Join('\n', lines));
        string eval = harness.WriteFile("eval.jsonl", Row("Question number 7: tell me about topic 7", "-", "+"));
        return $"  ingest:\n    kind: ingest\n    inputs: [\"{corpus}\"]\n" +
               "  dedup:\n    kind: dedup\n    input: ingest\n" +
               "  filter:\n    kind: filter\n    input: dedup\n    max_chars: 200\n" +
               $"  clean:\n    kind: decontaminate\n    input: filter\n    eval: [\"{eval}\"]\n    ngram: 3\n    threshold: 0.5\n" +
               "  split:\n    kind: split\n    input: clean\n    fractions: {train: 0.5, eval: 0.5}\n";
    }

    private static string Row(string prompt, string chosen, string rejected) =>
        new JsonObject { ["prompt"] = prompt, ["chosen"] = chosen, ["rejected"] = rejected }.ToJsonString();

    /// <summary>The card's length statistics and histogram rows against the pairs the stage wrote, binned here by the documented 1-2-5 edges.</summary>
    private static void AssertLengthsMatch(string card, List<PreferencePair> pairs)
    {
        var byField = new Dictionary<string, int[]>
        {
            ["prompt"] = pairs.Select(p => p.Prompt.Length).ToArray(),
            ["chosen"] = pairs.Select(p => p.Chosen.Length).ToArray(),
            ["rejected"] = pairs.Select(p => p.Rejected.Length).ToArray(),
        };
        foreach (var (field, lengths) in byField)
        {
            Assert.Contains(string.Create(CultureInfo.InvariantCulture,
                $"| {field} | {lengths.Length} | {lengths.Min()} | {lengths.Average():0.0} | {lengths.Max()} |"), card);
        }

        long[] edges = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
        string Label(int length)
        {
            int i = Array.FindLastIndex(edges, e => e <= length);
            return edges[i + 1] - 1 == edges[i] ? $"{edges[i]}" : $"{edges[i]}–{edges[i + 1] - 1}";
        }

        var labels = byField.Values.SelectMany(l => l).Select(Label).ToHashSet();
        foreach (string label in labels)
        {
            string counts = string.Join(" | ", Fields.Select(f => byField[f].Count(l => Label(l) == label)));
            Assert.Contains($"| {label} | {counts} |", card);
        }
    }

    private static async Task<long> CountAsync(PipelineHarness harness, StageOutput output, string folder)
    {
        long rows = 0;
        foreach (string file in output.Files.Where(f => f.StartsWith(folder + "part-", StringComparison.Ordinal)))
        {
            rows += await AlignmentPipeline.Data.Tables.ParquetTableReader.CountAsync(harness.Storage, output.Path(file), TestContext.Current.CancellationToken);
        }

        return rows;
    }
}
