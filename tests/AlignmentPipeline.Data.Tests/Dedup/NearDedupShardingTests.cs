using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Core.Storage;

namespace AlignmentPipeline.Data.Tests.Dedup;

/// <summary>
/// The near-dedup stages (minhash → near-clusters → near-dedup) give the same result whatever the number of input parts
/// (one minhash and near-dedup task per part), and a rerun after a lost minhash task equals an uninterrupted run.
/// </summary>
public sealed class NearDedupShardingTests
{
    private const string Options = "ngram: 3\nbands: 16\nrows_per_band: 4\nfield: prompt\npartitions: 5";

    /// <summary>120 documents of 60 words; every third one is followed later by a variant with one word replaced.</summary>
    private static List<(string Prompt, string Chosen, string Rejected)> Corpus()
    {
        var random = new Random(42);
        var documents = Enumerable.Range(0, 120).Select(_ => Enumerable.Range(0, 60).Select(_ => $"w{random.Next(20_000)}").ToArray()).ToList();
        var rows = documents.Select((d, i) => (string.Join(' ', d), $"c{i}", $"r{i}")).ToList();
        for (int d = 0; d < documents.Count; d += 3)
        {
            var variant = (string[])documents[d].Clone();
            variant[random.Next(variant.Length)] = "replaced";
            rows.Insert(Math.Min(rows.Count, d + 1 + random.Next(rows.Count - d)), (string.Join(' ', variant), $"vc{d}", $"vr{d}"));
        }

        return rows;
    }

    /// <summary>The corpus cut into <paramref name="files"/> JSONL files (one ingest part each); <paramref name="emptyFile"/> adds an empty one in the middle.</summary>
    private static async Task<(List<string> Kept, List<string> Quarantine, PipelineHarness.Outputs Outputs)> RunAsync(
        PipelineHarness harness, int files, string options = Options, bool emptyFile = false)
    {
        var rows = Corpus();
        var paths = Enumerable.Range(0, files).Select(f => harness.WriteFile($"part{f}.jsonl",
            DedupTests.Jsonl(rows.Skip(rows.Count * f / files).Take(rows.Count * (f + 1) / files - rows.Count * f / files)))).ToList();
        if (emptyFile)
        {
            paths.Insert(files / 2, harness.WriteFile("empty.jsonl", ""));
        }

        var outputs = await DedupTests.RunNearAsync(harness, paths, options);
        var kept = (await outputs.PairsAsync("near")).Select(p => p.Id).ToList();
        var quarantine = (await outputs.QuarantineAsync("near")).Select(q => $"{q.Source} {q.Reason} {q.Detail}").ToList();
        return (kept, quarantine, outputs);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\njaccard_check: 0.5")]
    public async Task One_part_and_three_parts_keep_the_same_ids_and_quarantine_the_same_rows(string jaccardCheck)
    {
        using var one = new PipelineHarness();
        using var three = new PipelineHarness();
        var single = await RunAsync(one, 1, Options + jaccardCheck);
        var sharded = await RunAsync(three, 3, Options + jaccardCheck, emptyFile: true);

        Assert.Equal(1, single.Outputs.Record.Stages.Single(s => s.Name == "signatures").Tasks);
        Assert.Equal(4, sharded.Outputs.Record.Stages.Single(s => s.Name == "signatures").Tasks);
        Assert.Equal(4, sharded.Outputs.Record.Stages.Single(s => s.Name == "near").Tasks);
        Assert.Equal(40, single.Quarantine.Count); // every planted variant, nothing else
        Assert.Equal(single.Kept, sharded.Kept);
        Assert.Equal(single.Quarantine, sharded.Quarantine);
    }

    [Fact]
    public async Task Rerun_after_a_lost_minhash_task_equals_an_uninterrupted_run()
    {
        using var harness = new PipelineHarness();
        var uninterrupted = await RunAsync(harness, 3);

        // As if the process died while task 1 of minhash ran: its marker and the stage's manifest are gone, and nothing
        // downstream exists. The rerun redoes task 1 only and rebuilds the rest.
        var signatures = uninterrupted.Outputs["signatures"];
        var storage = harness.Storage;
        var cancellationToken = TestContext.Current.CancellationToken;
        await storage.DeleteAsync(signatures.Path("manifest.json"), cancellationToken);
        await storage.DeleteAsync(signatures.Path("_tasks/task-00001.json"), cancellationToken);
        await storage.DeleteAsync(signatures.Path("ids/shard-00001.bin"), cancellationToken);
        await storage.DeleteAsync($"stages/clusters", cancellationToken);
        await storage.DeleteAsync($"stages/near", cancellationToken);
        var rerun = await RunAsync(harness, 3);

        var record = rerun.Outputs.Record.Stages.Single(s => s.Name == "signatures");
        Assert.Equal((StageStatus.Computed, 2), (record.Status, record.TasksResumed));
        Assert.Equal(uninterrupted.Kept, rerun.Kept);
        Assert.Equal(uninterrupted.Quarantine, rerun.Quarantine);
    }

    [Fact]
    public async Task A_stage_reading_the_clusters_as_pairs_is_refused_instead_of_reading_zero_rows()
    {
        using var harness = new PipelineHarness();
        string file = harness.WriteFile("pairs.jsonl", DedupTests.Jsonl(Corpus().Take(5)));
        var error = await Assert.ThrowsAsync<AlignmentPipeline.Core.UserErrorException>(() => harness.RunAsync(
            $"  ingest:\n    kind: ingest\n    inputs: [\"{file}\"]\n  signatures:\n    kind: minhash\n    input: ingest\n" +
            "  clusters:\n    kind: near-clusters\n    input: signatures\n  filter:\n    kind: filter\n    input: clusters\n"));

        Assert.Contains("filter: stage 'clusters' (near-clusters) holds no pairs", error.Message, StringComparison.Ordinal);
    }
}
