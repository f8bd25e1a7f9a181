using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.ReferenceCache;
using AlignmentPipeline.Modeling.Tokenization;

namespace AlignmentPipeline.Modeling.Tests.ReferenceCache;

public sealed class RefLogProbsStageTests
{
    private const double Fp32Tolerance = 1e-5;

    [Fact]
    public async Task Cached_values_equal_live_completion_logprobs_one_pair_at_a_time()
    {
        using var h = new CacheHarness();
        var input = h.WritePairs(40);
        // A small budget forces many length buckets of several pairs each.
        var result = await h.RunAsync(input, "batch_tokens: 400\nper_token: true");
        var rows = await result.RowsAsync();

        Assert.Equal(40, rows.Count);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"p{i:D3}"), rows.Select(r => r.Pair.Id));
        using var live = new LiveReference(h.ModelFolder, h.ModelFolder, 512);
        foreach (var row in rows)
        {
            var (chosen, rejected) = live.Score(row.Pair);
            Assert.InRange(Math.Abs(row.RefChosenLogp - LiveReference.Sum(chosen)), 0, Fp32Tolerance);
            Assert.InRange(Math.Abs(row.RefRejectedLogp - LiveReference.Sum(rejected)), 0, Fp32Tolerance);
            Assert.Equal(chosen.TokenCount, row.ChosenTokens);
            Assert.Equal(rejected.TokenCount, row.RejectedTokens);
            Assert.Equal(chosen.TokenCount, row.ChosenTokenLogps!.Length);
            Assert.All(row.ChosenTokenLogps.Zip(chosen.TokenLogProbs), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, Fp32Tolerance));
            Assert.All(row.RejectedTokenLogps!.Zip(rejected.TokenLogProbs), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, Fp32Tolerance));
            Assert.Equal("", row.Split);
        }

        // Byte tokenizer: completion tokens are the UTF-8 bytes plus EOS.
        Assert.Equal(rows[0].Pair.Chosen.Length + 1, rows[0].ChosenTokens);
    }

    [Fact]
    public async Task A_chat_template_named_in_the_options_is_applied_inside_the_stage()
    {
        using var h = new CacheHarness();
        var rows = await (await h.RunAsync(h.WritePairs(8, seed: 5), "template: chatml")).RowsAsync();

        // The independent computation: chatml written out by hand, scored live as plain text.
        static string Turn(string role, string content) => $"<|im_start|>{role}\n{content}<|im_end|>\n";
        using var live = new LiveReference(h.ModelFolder, h.ModelFolder, 512);
        Assert.Equal(8, rows.Count);
        foreach (var row in rows)
        {
            var pair = row.Pair;
            var templated = pair with
            {
                Prompt = Turn("user", pair.Prompt) + "<|im_start|>assistant\n",
                Chosen = pair.Chosen + "<|im_end|>\n",
                Rejected = pair.Rejected + "<|im_end|>\n",
            };
            var (chosen, rejected) = live.Score(templated);
            Assert.InRange(Math.Abs(row.RefChosenLogp - LiveReference.Sum(chosen)), 0, LiveReference.Tolerance(row.RefChosenLogp));
            Assert.InRange(Math.Abs(row.RefRejectedLogp - LiveReference.Sum(rejected)), 0, LiveReference.Tolerance(row.RefRejectedLogp));
            Assert.Equal((chosen.TokenCount, rejected.TokenCount), (row.ChosenTokens, row.RejectedTokens));

            // Without the template the same pair scores differently: 11 fewer completion tokens ("<|im_end|>\n") and another value.
            var (rawChosen, rawRejected) = live.Score(pair);
            Assert.Equal((row.ChosenTokens - 11, row.RejectedTokens - 11), (rawChosen.TokenCount, rawRejected.TokenCount));
            Assert.True(Math.Abs(row.RefChosenLogp - LiveReference.Sum(rawChosen)) > 0.1, $"{pair.Id}: templated and raw chosen log-probs agree");
        }
    }

    [Fact]
    public async Task Manifest_records_the_cache_key_and_its_components()
    {
        using var h = new CacheHarness();
        var result = await h.RunAsync(h.WritePairs(5), "max_length: 100");
        var metadata = result.Cache.Metadata;
        var expected = ReferenceCacheKey.Compute(h.ModelFolder, maxLength: 100);

        Assert.Equal(expected.Key, metadata[ReferenceCacheKey.KeyField]!.GetValue<string>());
        Assert.Equal(expected, ReferenceCacheKey.FromJson(metadata[ReferenceCacheKey.ComponentsField]!.AsObject()));
        Assert.Equal(100, metadata[ReferenceCacheKey.ComponentsField]!["max_length"]!.GetValue<int>());
        Assert.Equal("sum", metadata[ReferenceCacheKey.ComponentsField]!["reduction"]!.GetValue<string>());
        Assert.Equal(new ByteTokenizer().ContentHash, expected.TokenizerHash);
        Assert.Equal("pairs", metadata[ReferenceCacheMetadata.InputStage]!.GetValue<string>());
    }

    [Fact]
    public async Task Sharded_output_equals_single_task_output_row_for_row()
    {
        using var h = new CacheHarness();
        var input = h.WritePairs(23, seed: 5);
        var single = await (await h.RunAsync(input)).RowsAsync();
        var shardedResult = await h.RunAsync(input, "shards: 3");
        var sharded = await shardedResult.RowsAsync();

        Assert.Equal(3, shardedResult.Cache.Parts.Count);
        Assert.Equal(single.Select(r => r.Pair), sharded.Select(r => r.Pair));
        Assert.Equal(single.Select(r => (r.ChosenTokens, r.RejectedTokens)), sharded.Select(r => (r.ChosenTokens, r.RejectedTokens)));
        Assert.All(single.Zip(sharded), p =>
        {
            Assert.InRange(Math.Abs(p.First.RefChosenLogp - p.Second.RefChosenLogp), 0, Fp32Tolerance);
            Assert.InRange(Math.Abs(p.First.RefRejectedLogp - p.Second.RefRejectedLogp), 0, Fp32Tolerance);
        });
    }

    [Fact]
    public async Task A_failed_shard_is_recomputed_on_rerun_while_completed_shards_are_kept()
    {
        using var h = new CacheHarness();
        var input = h.WritePairs(20, seed: 9);
        var first = await h.RunAsync(input, "shards: 3");
        var before = await first.RowsAsync();

        // Simulate a crash of shard 1: its part and completion marker never appeared, and the stage never finished.
        var prefix = first.Cache.Prefix;
        await h.Storage.DeleteAsync($"{prefix}/{Manifest.FileName}", TestContext.Current.CancellationToken);
        await h.Storage.DeleteAsync($"{prefix}/_tasks/task-00001.json", TestContext.Current.CancellationToken);
        await h.Storage.DeleteAsync($"{prefix}/part-00001.parquet", TestContext.Current.CancellationToken);
        var untouched = File.GetLastWriteTimeUtc(Path.Combine(h.Storage.Root, prefix, "part-00000.parquet"));

        var resumed = await h.RunAsync(input, "shards: 3");
        var after = await resumed.RowsAsync();

        Assert.Equal(StageStatus.Computed, resumed.Record.Stages[1].Status);
        Assert.Equal(2, resumed.Record.Stages[1].TasksResumed);
        Assert.Equal(untouched, File.GetLastWriteTimeUtc(Path.Combine(h.Storage.Root, prefix, "part-00000.parquet")));
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Pairs_whose_prompt_fills_max_length_are_quarantined_and_long_completions_are_cut()
    {
        using var h = new CacheHarness();
        // Every 4th prompt has 200 bytes (+ BOS): over max_length 64. Others fit, but their completions may not.
        var input = h.WritePairs(12, seed: 3, longPromptEvery: 4);
        var result = await h.RunAsync(input, "max_length: 64");
        var rows = await result.RowsAsync();
        var quarantine = await result.QuarantineAsync();
        var stats = (JsonObject)await h.Storage.ReadJsonAsync(result.Cache.Path("stats.json"), TestContext.Current.CancellationToken);

        Assert.Equal(["p000", "p004", "p008"], quarantine.Select(q => q.Source));
        Assert.All(quarantine, q => Assert.Equal("prompt_too_long", q.Reason));
        Assert.Equal(3, stats["dropped"]!["prompt_too_long"]!.GetValue<long>());
        Assert.Equal(9, rows.Count);
        foreach (var row in rows)
        {
            var promptTokens = row.Pair.Prompt.Length + 1; // BOS + bytes
            Assert.Equal(Math.Min(row.Pair.Chosen.Length + 1, 64 - promptTokens), row.ChosenTokens);
            Assert.Equal(Math.Min(row.Pair.Rejected.Length + 1, 64 - promptTokens), row.RejectedTokens);
        }

        Assert.Contains(rows, r => r.ChosenTokens < r.Pair.Chosen.Length + 1 || r.RejectedTokens < r.Pair.Rejected.Length + 1); // some completion was cut
        using var live = new LiveReference(h.ModelFolder, h.ModelFolder, 64);
        Assert.All(rows, row => Assert.InRange(Math.Abs(row.RefChosenLogp - LiveReference.Sum(live.Score(row.Pair).Chosen)), 0, Fp32Tolerance));
    }

    [Fact]
    public async Task Keep_end_keeps_completions_whole_cuts_the_prompt_start_and_quarantines_completions_that_fill_max_length()
    {
        using var h = new CacheHarness();
        // Every 4th prompt has 200 bytes; rejected completions reach 64 bytes with EOS.
        var input = h.WritePairs(16, seed: 3, longPromptEvery: 4);
        var result = await h.RunAsync(input, "max_length: 64\ntruncation: keep_end");
        var rows = await result.RowsAsync();
        var quarantine = await result.QuarantineAsync();

        // Byte tokenizer: a completion is its bytes plus EOS; keep_end leaves no prompt token when that reaches 64.
        var expectedQuarantine = (await ReadInputAsync(result)).Where(p => Math.Max(p.Chosen.Length, p.Rejected.Length) + 1 >= 64).Select(p => p.Id).ToList();
        Assert.Equal(expectedQuarantine, quarantine.Select(q => q.Source));
        Assert.All(quarantine, q => Assert.Equal("completion_too_long", q.Reason));
        Assert.Equal(16, rows.Count + quarantine.Count);
        Assert.Contains(rows, r => r.Pair.Prompt.Length == 200); // long prompts are cut, not quarantined
        using var live = new LiveReference(h.ModelFolder, h.ModelFolder, 64);
        foreach (var row in rows)
        {
            Assert.Equal((row.Pair.Chosen.Length + 1, row.Pair.Rejected.Length + 1), (row.ChosenTokens, row.RejectedTokens));
            var (chosen, rejected) = live.ScoreKeepEnd(row.Pair);
            Assert.InRange(Math.Abs(row.RefChosenLogp - LiveReference.Sum(chosen)), 0, Fp32Tolerance);
            Assert.InRange(Math.Abs(row.RefRejectedLogp - LiveReference.Sum(rejected)), 0, Fp32Tolerance);
        }
    }

    [Fact]
    public async Task Another_pipeline_file_on_the_same_storage_reuses_the_cache_until_a_key_component_changes()
    {
        using var h = new CacheHarness();
        var input = h.WritePairs(6, seed: 12);
        var first = await h.RunAsync(input, "max_length: 128", pipeline: "nightly");
        var second = await h.RunAsync(input, "max_length: 128", pipeline: "experiment");
        var third = await h.RunAsync(input, "max_length: 100", pipeline: "experiment");

        Assert.Equal(StageStatus.Computed, first.Record.Stages[1].Status);
        Assert.Equal(StageStatus.Reused, second.Record.Stages[1].Status);
        Assert.Equal(first.Record.Stages[1].Fingerprint, second.Record.Stages[1].Fingerprint);
        Assert.Equal(StageStatus.Computed, third.Record.Stages[1].Status);
        Assert.NotEqual(first.Record.Stages[1].Fingerprint, third.Record.Stages[1].Fingerprint);
    }

    [Fact]
    public async Task New_weights_at_the_same_model_path_recompute_the_cache_and_the_old_key_is_refused()
    {
        using var h = new CacheHarness();
        var input = h.WritePairs(4, seed: 13);
        var before = await h.RunAsync(input);
        var oldKey = ReferenceCacheKey.Compute(h.ModelFolder);
        using (var other = TestModels.Randomized(new LlamaModel(CacheHarness.TinyConfig), 8))
        {
            other.Save(h.ModelFolder);
        }

        var after = await h.RunAsync(input);

        Assert.Equal(StageStatus.Computed, after.Record.Stages[1].Status);
        Assert.NotEqual(before.Record.Stages[1].Fingerprint, after.Record.Stages[1].Fingerprint);
        Assert.NotEqual((await before.RowsAsync())[0].RefChosenLogp, (await after.RowsAsync())[0].RefChosenLogp);
        var error = Assert.Throws<Core.UserErrorException>(() => ReferenceCacheGuard.Check(oldKey, after.Cache.Metadata));
        Assert.Contains("weights_hash: ", error.Message);
        Assert.DoesNotContain("tokenizer_hash", error.Message);
    }

    private static async Task<List<Data.Records.PreferencePair>> ReadInputAsync(CacheHarness.Result result)
    {
        var pairs = new List<Data.Records.PreferencePair>();
        await foreach (var row in Data.Tables.ParquetTableReader.ReadAllAsync(result.Storage, result.Pairs.Parts, TestContext.Current.CancellationToken))
        {
            pairs.Add(Data.Records.PreferenceTable.FromRow(row));
        }

        return pairs;
    }

    [Fact]
    public async Task Prefix_sharing_gives_the_unshared_values()
    {
        using var h = new CacheHarness();
        var input = h.WritePairs(30, seed: 11);
        var plain = await (await h.RunAsync(input, "batch_tokens: 600\nper_token: true")).RowsAsync();
        var shared = await (await h.RunAsync(input, "batch_tokens: 600\nprefix_sharing: true\nper_token: true")).RowsAsync();

        Assert.Equal(plain.Select(r => (r.Pair.Id, r.ChosenTokens, r.RejectedTokens)), shared.Select(r => (r.Pair.Id, r.ChosenTokens, r.RejectedTokens)));
        foreach (var (a, b) in plain.Zip(shared))
        {
            Assert.All(a.ChosenTokenLogps!.Zip(b.ChosenTokenLogps!), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, Fp32Tolerance));
            Assert.All(a.RejectedTokenLogps!.Zip(b.RejectedTokenLogps!), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, Fp32Tolerance));

            Assert.InRange(Math.Abs(a.RefChosenLogp - b.RefChosenLogp), 0, LiveReference.Tolerance(a.RefChosenLogp));
            Assert.InRange(Math.Abs(a.RefRejectedLogp - b.RefRejectedLogp), 0, LiveReference.Tolerance(a.RefRejectedLogp));
        }
    }

    [Fact]
    public async Task A_llama2c_model_without_a_tokenizer_is_a_config_error()
    {
        using var h = new CacheHarness();
        var bin = Path.Combine(h.Root, "model.bin");
        await File.WriteAllBytesAsync(bin, new byte[64], TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<Core.Configuration.ConfigException>(() => h.RunAsync(h.WritePairs(2), model: bin));
        Assert.Contains("tokenizer", error.Message);
    }
}
