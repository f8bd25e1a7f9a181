using System.Globalization;
using System.IO.Compression;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Data.Tables;
using AlignmentPipeline.Modeling.ReferenceCache;
using AlignmentPipeline.TestSupport;

namespace AlignmentPipeline.Cli.Tests;

/// <summary>
/// <c>align verify-cache</c> end to end: a real <c>align run</c> caches stories260K's log-probs of the first HH harmless
/// test transcripts once per class; each test copies that storage, damages the cache Parquet in one way and runs
/// <c>align verify-cache</c> as a child process.
/// </summary>
public sealed partial class VerifyCacheCommandTests(VerifyCacheCommandTests.CachedRun run) : IClassFixture<VerifyCacheCommandTests.CachedRun>
{
    [Fact]
    public async Task A_sound_cache_exits_0_and_prints_the_max_abs_difference()
    {
        var storage = run.CopyStorage();
        var result = await VerifyAsync(storage, "--sample", "5");

        Assert.True(result.ExitCode == 0, result.Out + result.Error);
        var summary = Summary().Match(result.Out);
        Assert.True(summary.Success, result.Out);
        Assert.Equal(run.CachedRows, int.Parse(summary.Groups["rows"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture));
        Assert.Equal(5, int.Parse(summary.Groups["sampled"].Value, CultureInfo.InvariantCulture));
        // The stage and the verifier score through the same batched path: equal up to float32 rounding of the sums.
        Assert.InRange(double.Parse(summary.Groups["difference"].Value, CultureInfo.InvariantCulture), 0, 1e-5);
        Assert.Equal("ok", summary.Groups["verdict"].Value);
        Assert.DoesNotContain("problem:", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tampered_cached_value_exits_1_naming_the_pair_and_the_difference()
    {
        var storage = run.CopyStorage();
        var victim = await RewriteAsync(storage, rows => rows.Select((r, i) => i == 1 ? r with { RefChosenLogp = r.RefChosenLogp - 0.01 } : r));

        var result = await VerifyAsync(storage, "--sample", "1000");

        Assert.True(result.ExitCode == 1, result.Out + result.Error);
        Assert.Contains($"problem: pair {victim}: cached chosen log-prob", result.Out, StringComparison.Ordinal);
        Assert.Contains("differs from the live", result.Out, StringComparison.Ordinal);
        Assert.Contains(": 1 problem", result.Out, StringComparison.Ordinal);
        Assert.InRange(double.Parse(Summary().Match(result.Out).Groups["difference"].Value, CultureInfo.InvariantCulture), 0.0099, 0.0101);
    }

    [Fact]
    public async Task A_cache_missing_an_input_pair_exits_1_naming_the_id()
    {
        var storage = run.CopyStorage();
        var missing = await RewriteAsync(storage, rows => rows.Where((_, i) => i != 2));

        var result = await VerifyAsync(storage, "--sample", "3");

        Assert.True(result.ExitCode == 1, result.Out + result.Error);
        Assert.Contains($"problem: pair {missing} of input stage 'pairs' is neither cached nor quarantined", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN, "ref_rejected_logp is NaN")]
    [InlineData(0.25, "ref_rejected_logp is 0.25, but a log-probability is never positive")]
    [InlineData(double.NegativeInfinity, "ref_rejected_logp is -Infinity")]
    public async Task A_non_finite_or_positive_cached_logprob_exits_1(double value, string expected)
    {
        var storage = run.CopyStorage();
        var victim = await RewriteAsync(storage, rows => rows.Select((r, i) => i == 0 ? r with { RefRejectedLogp = value } : r));

        // Sample nothing: the value checks cover every row without recomputing.
        var result = await VerifyAsync(storage, "--sample", "0");

        Assert.True(result.ExitCode == 1, result.Out + result.Error);
        Assert.Contains($"problem: pair {victim}: {expected}", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_count_that_disagrees_with_the_tokenizer_exits_1()
    {
        var storage = run.CopyStorage();
        var victim = await RewriteAsync(storage, rows => rows.Select((r, i) => i == 3 ? r with { ChosenTokens = r.ChosenTokens + 1 } : r));

        var result = await VerifyAsync(storage, "--sample", "1000");

        Assert.True(result.ExitCode == 1, result.Out + result.Error);
        Assert.Contains($"problem: pair {victim}: cached token counts", result.Out, StringComparison.Ordinal);
        Assert.Contains("but the tokenizer gives", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cached_values_equal_align_model_logprob_for_sampled_rows()
    {
        SharedData.RequireFile("models/stories260K/stories260K.gguf");
        var rows = await ReadAsync(new LocalStorage(run.Storage));
        var random = new Random(6);
        foreach (var row in rows.OrderBy(_ => random.Next()).Take(2))
        {
            foreach (var (text, sum, tokens, perToken) in new[]
            {
                (row.Pair.Chosen, row.RefChosenLogp, row.ChosenTokens, row.ChosenTokenLogps!),
                (row.Pair.Rejected, row.RefRejectedLogp, row.RejectedTokens, row.RejectedTokenLogps!),
            })
            {
                var result = await AlignProcess.RunAsync(run.Root, "model", "logprob", run.Model, "--prompt", row.Pair.Prompt, "--text", text, "--device", "cpu", "--json");
                Assert.True(result.ExitCode == 0, result.Error);
                var all = JsonNode.Parse(result.Out)!["logprobs"]!.AsArray().Select(v => (double)v!.GetValue<float>()).ToList();
                // keep_start: the cache scored the completion's first tokens, as many as max_length 256 left after the prompt.
                Assert.InRange(tokens, 1, all.Count);
                var live = all.Take(tokens).ToList();

                // One unpadded sequence vs a padded batch: float32 kernels differ by up to ~2e-5 per token (measured 1.7e-5 on
                // stories260K over HH), and a sum of n tokens by 1e-5 plus float32's relative error of the sum.
                Assert.All(perToken.Zip(live), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, 5e-5));
                Assert.InRange(Math.Abs(sum - live.Sum()), 0, 1e-5 + 3e-7 * Math.Abs(sum));
            }
        }
    }

    [Fact]
    public async Task A_killed_sharded_run_resumes_its_finished_shards_equals_the_single_task_cache_and_verifies()
    {
        SharedData.RequireFile("models/stories260K/stories260K.gguf");
        var storage = Path.Combine(run.Root, $"killed-{Guid.NewGuid():N}");
        File.WriteAllText(Path.Combine(run.Root, "sharded.yaml"), run.Pipeline(shards: 6));
        var killed = false;
        for (var attempt = 0; attempt < 3 && !killed; attempt++)
        {
            using var process = AlignProcess.Start(run.Root, "run", "sharded.yaml", "--storage", storage);
            while (!process.HasExited && !killed)
            {
                // Kill once a shard has written its completion marker and the stage has no manifest yet.
                var stage = Path.Combine(storage, "stages", "ref");
                if (Directory.Exists(stage) && Directory.EnumerateFiles(stage, "task-*.json", SearchOption.AllDirectories).Any() &&
                    !Directory.EnumerateFiles(stage, "manifest.json", SearchOption.AllDirectories).Any())
                {
                    process.Kill(entireProcessTree: true);
                    killed = true;
                }

                await Task.Delay(10, TestContext.Current.CancellationToken);
            }

            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            if (!killed && Directory.Exists(Path.Combine(storage, "stages", "ref")))
            {
                Directory.Delete(Path.Combine(storage, "stages", "ref"), recursive: true); // finished before the first marker was seen: again
            }
        }

        Assert.True(killed, "every attempt finished before a shard's completion marker was seen; the kill was not exercised");
        var rerun = await AlignProcess.RunAsync(run.Root, "run", "sharded.yaml", "--storage", storage, "--json");
        Assert.True(rerun.ExitCode == 0, rerun.Error);
        var record = JsonNode.Parse(rerun.Out)!;
        var refStage = record["stages"]!.AsArray().Single(s => s!["name"]!.GetValue<string>() == "ref")!;
        Assert.Equal("computed", refStage["status"]!.GetValue<string>());
        Assert.InRange(refStage["tasks_resumed"]!.GetValue<int>(), 1, 6);

        var folder = Path.Combine("stages", "ref", refStage["fingerprint"]!.GetValue<string>());
        var parts = Directory.EnumerateFiles(Path.Combine(storage, folder), "part-*.parquet").Order(StringComparer.Ordinal).Select(f => Path.GetRelativePath(storage, f)).ToList();
        var sharded = new List<CachedPair>();
        await foreach (var row in ParquetTableReader.ReadAllAsync(new LocalStorage(storage), parts, TestContext.Current.CancellationToken))
        {
            sharded.Add(ReferenceCacheTable.FromRow(row));
        }

        var single = await ReadAsync(new LocalStorage(run.Storage));
        Assert.Equal(6, parts.Count);
        Assert.Equal(single.Select(r => (r.Pair, r.ChosenTokens, r.RejectedTokens)), sharded.Select(r => (r.Pair, r.ChosenTokens, r.RejectedTokens)));
        Assert.All(single.Zip(sharded), p =>
        {
            Assert.InRange(Math.Abs(p.First.RefChosenLogp - p.Second.RefChosenLogp), 0, 1e-5);
            Assert.InRange(Math.Abs(p.First.RefRejectedLogp - p.Second.RefRejectedLogp), 0, 1e-5);
        });
        var verify = await AlignProcess.RunAsync(run.Root, "verify-cache", record["run_id"]!.GetValue<string>(), "--stage", "ref", "--device", "cpu", "--storage", storage, "--sample", "4");
        Assert.True(verify.ExitCode == 0, verify.Out + verify.Error);
    }

    private Task<(int ExitCode, string Out, string Error)> VerifyAsync(string storage, params string[] extra) =>
        AlignProcess.RunAsync(run.Root, ["verify-cache", run.RunId, "--stage", "ref", "--device", "cpu", "--storage", storage, .. extra]);

    /// <summary>Rewrites the cache's single part with <paramref name="change"/> applied; returns the id of the row it changed or dropped.</summary>
    private async Task<string> RewriteAsync(string storage, Func<IEnumerable<CachedPair>, IEnumerable<CachedPair>> change)
    {
        var local = new LocalStorage(storage);
        var rows = await ReadAsync(local);
        var changed = change(rows).ToList();
        var victim = rows.First(r => !changed.Contains(r)).Pair.Id;
        await using var writer = await ParquetTableWriter<CachedPair>.CreateAsync(local, run.CachePart, ReferenceCacheTable.Schema(perToken: true), cancellationToken: TestContext.Current.CancellationToken);
        foreach (var row in changed)
        {
            await writer.WriteAsync(row, TestContext.Current.CancellationToken);
        }

        await writer.CompleteAsync(TestContext.Current.CancellationToken);
        return victim;
    }

    private async Task<List<CachedPair>> ReadAsync(IStorage storage)
    {
        var rows = new List<CachedPair>();
        await foreach (var row in ParquetTableReader.ReadAsync(storage, run.CachePart, TestContext.Current.CancellationToken))
        {
            rows.Add(ReferenceCacheTable.FromRow(row));
        }

        return rows;
    }

    [GeneratedRegex(@"(?<rows>[\d,]+) rows checked, (?<sampled>\d+) recomputed live, max \|cached - live\| = (?<difference>\S+): (?<verdict>ok|\d+ problems?)")]
    private static partial Regex Summary();

    /// <summary>
    /// One <c>align run</c> of <c>ingest → ref-logprobs</c> (stories260K, first 12 HH harmless test transcripts,
    /// max_length 256, no EOS so a completion's tokens are those <c>align model logprob</c> scores, per-token values kept).
    /// </summary>
    public sealed class CachedRun : IAsyncLifetime
    {
        private readonly TempDirectory temp = new("align-verify-cache");
        private int copies;

        public string Root => temp.Path;

        public string Storage => Path.Combine(temp.Path, "store");

        public string Model { get; private set; } = "";

        public string RunId { get; private set; } = "";

        /// <summary>The cache's part, relative to the storage root.</summary>
        public string CachePart { get; private set; } = "";

        public int CachedRows { get; private set; }

        public async ValueTask InitializeAsync()
        {
            if (SharedData.Folder is null)
            {
                return;
            }

            Model = Path.Combine(SharedData.Folder, "models/stories260K/stories260K.gguf");
            using (var reader = new StreamReader(new GZipStream(File.OpenRead(Path.Combine(SharedData.Folder, "preferences/hh-rlhf-harmless-base/test.jsonl.gz")), CompressionMode.Decompress)))
            await using (var writer = new StreamWriter(new GZipStream(File.Create(temp.File("hh.jsonl.gz")), CompressionLevel.Fastest)))
            {
                for (var i = 0; i < 12 && await reader.ReadLineAsync() is { } line; i++)
                {
                    await writer.WriteLineAsync(line);
                }
            }

            temp.Write("p.yaml", Pipeline(shards: 1));
            var result = await AlignProcess.RunAsync(Root, "run", "p.yaml", "--storage", Storage, "--json");
            Assert.True(result.ExitCode == 0, result.Error);
            var record = JsonNode.Parse(result.Out)!;
            RunId = record["run_id"]!.GetValue<string>();
            var stage = record["stages"]!.AsArray().Single(s => s!["name"]!.GetValue<string>() == "ref")!;
            CachePart = $"stages/ref/{stage["fingerprint"]!.GetValue<string>()}/part-00000.parquet";
            CachedRows = (int)stage["rows_out"]!.GetValue<long>();
        }

        /// <summary>The pipeline of this class with <paramref name="shards"/> cache tasks.</summary>
        public string Pipeline(int shards) => $"""
            name: verify-cache
            stages:
              pairs:
                kind: ingest
                inputs: [hh.jsonl.gz]
                format: hh_transcript
              ref:
                kind: ref-logprobs
                input: pairs
                model: "{Model}"
                device: cpu
                max_length: 256
                add_eos: false
                per_token: true
                shards: {shards}
            """;

        /// <summary>A private copy of the run's storage (skips the test when shared/data is absent).</summary>
        public string CopyStorage()
        {
            SharedData.RequireFile("models/stories260K/stories260K.gguf");
            var copy = Path.Combine(Root, $"copy{Interlocked.Increment(ref copies)}");
            foreach (var file in Directory.EnumerateFiles(Storage, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(copy, Path.GetRelativePath(Storage, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }

            return copy;
        }

        public ValueTask DisposeAsync()
        {
            temp.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
