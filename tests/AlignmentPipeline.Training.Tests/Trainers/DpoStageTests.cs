using AlignmentPipeline.Modeling.ReferenceCache;
using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Tables;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Training.Trainers;
using TorchSharp;

namespace AlignmentPipeline.Training.Tests.Trainers;

[Collection(nameof(TrainerCollection))]
public sealed class DpoStageTests(DpoPipelineFixture fixture) : IClassFixture<DpoPipelineFixture>
{
    [Fact]
    public void The_dpo_stage_loads_only_the_policy_and_says_the_reference_comes_from_the_cache()
    {
        Assert.Equal(1, fixture.DpoModelLoads);
        Assert.Contains("reference log-probs come from cache", fixture.DpoLog);
        Assert.Contains("the reference model is not loaded", fixture.DpoLog);
    }

    [Fact]
    public async Task Step_zero_with_policy_equal_to_reference_gives_ln2_and_zero_margins()
    {
        var stats = await fixture.Harness.StatsAsync(fixture.WithDpo, "dpo");
        // Policy = reference, so every implicit reward β(π − π_ref) is 0 and −log σ(0) = ln 2. The cache was computed
        // in other batches (other padding), so equality holds to float32 rounding, not bitwise.
        TestContext.Current.TestOutputHelper?.WriteLine($"step 0: loss {stats["first_step_loss"]}, margin {stats["first_step_margin"]}");
        Assert.Equal(Math.Log(2), stats["first_step_loss"]!.GetValue<double>(), 1e-5);
        Assert.Equal(0, stats["first_step_margin"]!.GetValue<double>(), 1e-5);
        Assert.Contains("sanity check passed at step 0", fixture.DpoLog);
    }

    [Fact]
    public async Task Dpo_raises_held_out_reward_accuracy_on_a_learnable_preference()
    {
        var stats = await fixture.Harness.StatsAsync(fixture.WithDpo, "dpo");
        var eval = stats["eval"]!.AsObject();
        Assert.True(stats["eval_pairs"]!.GetValue<int>() >= 6, $"too few held-out pairs: {stats["eval_pairs"]}");
        var accuracy = eval["eval_rewards/accuracies"]!.GetValue<double>();
        TestContext.Current.TestOutputHelper?.WriteLine($"held-out: {eval.ToJsonString()}; final train loss {stats["final_loss"]}");
        Assert.True(accuracy >= 0.9, $"held-out rewards/accuracies {accuracy} after 30 steps");
        Assert.True(eval["eval_rewards/margins"]!.GetValue<double>() > 0);
    }

    [Fact]
    public async Task Dpo_publishes_a_loadable_model_metrics_with_trl_names_and_plots()
    {
        var output = await fixture.Harness.OutputAsync(fixture.WithDpo, "dpo");
        foreach (var file in new[] { "model/config.json", "model/model.safetensors", "model/byte_tokenizer.json", "metrics.jsonl",
                     "plots/loss.png", "plots/rewards_margins.png", "plots/rewards_accuracies.png", "plots/eval_rewards_accuracies.png" })
        {
            Assert.Contains(file, output.Files);
        }

        var lines = File.ReadAllLines(Path.Combine(fixture.Harness.Storage.Root, output.Path("metrics.jsonl")));
        Assert.Equal(30 + 3, lines.Length); // one line per step plus evaluations at steps 10, 20 and 30
        foreach (var name in new[] { "\"loss\"", "\"rewards/chosen\"", "\"rewards/rejected\"", "\"rewards/margins\"", "\"rewards/accuracies\"",
                     "\"logps/chosen\"", "\"logps/rejected\"", "\"grad_norm\"", "\"learning_rate\"", "\"tokens_per_second\"" })
        {
            Assert.Contains(name, lines[0]);
        }
    }

    [Fact]
    public async Task Batch_8_equals_batch_1_with_8_accumulation_steps_within_1e6()
    {
        using var whole = ModelLoader.Load(await fixture.Harness.ModelFolderAsync(fixture.WithAccumulation, "whole"), ModelRuntimeOptions.Cpu).Model;
        using var accumulated = ModelLoader.Load(await fixture.Harness.ModelFolderAsync(fixture.WithAccumulation, "accumulated"), ModelRuntimeOptions.Cpu).Model;
        using var sft = ModelLoader.Load(await fixture.Harness.ModelFolderAsync(fixture.Upstream, "sft"), ModelRuntimeOptions.Cpu).Model;
        using var scope = torch.NewDisposeScope();
        double maxDifference = 0, maxUpdate = 0;
        foreach (var ((name, a), (_, b), (_, start)) in whole.NamedParameters().Zip(accumulated.NamedParameters(), sft.NamedParameters()))
        {
            maxDifference = Math.Max(maxDifference, (a - b).abs().max().item<float>());
            maxUpdate = Math.Max(maxUpdate, (a - start).abs().max().item<float>());
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"max update {maxUpdate:E3}, max difference {maxDifference:E3}");
        Assert.True(maxUpdate > 1e-5, $"the step must move the weights for the comparison to mean something (max update {maxUpdate})");
        Assert.True(maxDifference <= 1e-6, $"max parameter difference {maxDifference:E3}");
    }

    [Fact]
    public async Task Model_identity_from_files_equals_the_loaders_content_hash()
    {
        var folder = await fixture.Harness.ModelFolderAsync(fixture.Upstream, "sft");
        Assert.Equal(ModelLoader.Load(folder, ModelRuntimeOptions.Cpu).ContentHash, ReferenceModelFiles.WeightsHash(folder));
    }

    [Fact]
    public async Task A_reference_other_than_the_cached_one_fails_before_training_naming_the_component()
    {
        var stages = TrainingPipelines.Ingest(fixture.Harness.DataFile) + TrainingPipelines.Sft() + TrainingPipelines.Sft("other", steps: 2, seed: 7)
            + TrainingPipelines.Reference + TrainingPipelines.Dpo("mismatched", "reference: other\n    max_steps: 2");
        var error = await Record.ExceptionAsync(() => fixture.Harness.RunAsync(stages));
        var user = Assert.IsType<UserErrorException>(Unwrap(error), exactMatch: false);
        Assert.Contains("weights_hash: ", user.Message);
        Assert.Contains("reference 'other'", user.Message);
    }

    [Fact]
    public async Task A_cache_computed_with_a_chat_template_is_refused_naming_the_template()
    {
        var stages = TrainingPipelines.Ingest(fixture.Harness.DataFile) + TrainingPipelines.Sft() + """
              templated: { kind: ref-logprobs, input: ingest, model: sft, max_length: 64, template: chatml }
              on_templated:
                kind: dpo
                input: templated
                init: sft
                max_steps: 2

            """;
        var error = await Record.ExceptionAsync(() => fixture.Harness.RunAsync(stages));
        var user = Assert.IsType<UserErrorException>(Unwrap(error), exactMatch: false);
        Assert.Contains("template: \"none\" vs \"chatml\"", user.Message);
        Assert.Contains("cache of 'templated'", user.Message);
    }

    [Fact]
    public void A_reference_free_loss_refuses_a_reference()
    {
        var stages = TrainingPipelines.Ingest(fixture.Harness.DataFile) + TrainingPipelines.Sft() + """
              simpo:
                kind: dpo
                input: ingest
                init: sft
                reference: sft
                loss: { type: simpo, beta: 2.0 }

            """;
        var error = Assert.ThrowsAny<ConfigException>(() =>
            new PipelineLoader(new Core.Stages.StageRegistry([.. Data.DataStageKinds.All, .. TrainingStageKinds.All]))
                .Load($"name: t\nstages:\n{stages}", "p.yaml"));
        Assert.Contains("'reference': loss simpo is reference-free", error.Message);
    }

    [Fact]
    public async Task A_stopped_dpo_stage_resumes_from_its_checkpoint_to_bitwise_equal_weights()
    {
        var h = fixture.Harness;
        const string options = "max_steps: 8\n    batch_size: 4\n    gradient_accumulation_steps: 2\n    learning_rate: 0.001\n    checkpoint_every: 3";
        var straight = await h.RunAsync(fixture.UpstreamYaml + TrainingPipelines.Dpo("dpo_straight", options));
        var expected = File.ReadAllBytes(Path.Combine(await h.ModelFolderAsync(straight, "dpo_straight"), "model.safetensors"));

        var stages = fixture.UpstreamYaml + TrainingPipelines.Dpo("dpo_resumed", options);
        using var stop = new CancellationTokenSource();
        var error = await Record.ExceptionAsync(() => h.RunAsync(stages, line =>
        {
            if (line.Contains("dpo_resumed: checkpoint checkpoints/step-000003 saved"))
            {
                stop.Cancel(); // Ctrl+C right after the first checkpoint
            }
        }, stop.Token));
        Assert.IsAssignableFrom<OperationCanceledException>(Unwrap(error));

        var resumed = await h.RunAsync(stages);
        Assert.Contains("dpo_resumed: resuming from checkpoint checkpoints/step-000003", h.Log.ToString());
        var actual = File.ReadAllBytes(Path.Combine(await h.ModelFolderAsync(resumed, "dpo_resumed"), "model.safetensors"));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Live_reference_loads_the_reference_and_agrees_with_the_cache_at_step_zero()
    {
        var before = ModelLoader.LoadCount;
        var record = await fixture.Harness.RunAsync(fixture.UpstreamYaml + TrainingPipelines.Dpo("live", "live_reference: true\n    max_steps: 2\n    learning_rate: 0.001"));
        Assert.Equal(2, ModelLoader.LoadCount - before);
        var stats = await fixture.Harness.StatsAsync(record, "live");
        Assert.Equal(Math.Log(2), stats["first_step_loss"]!.GetValue<double>(), 1e-5);
        Assert.Equal(0, stats["first_step_margin"]!.GetValue<double>(), 1e-5);
    }

    [Fact]
    public async Task A_loss_stuck_at_ln2_triggers_the_plateau_warning()
    {
        var logStart = fixture.Harness.Log.Length;
        await fixture.Harness.RunAsync(fixture.UpstreamYaml + TrainingPipelines.Dpo("stuck", "max_steps: 6\n    learning_rate: 1.0e-12\n    lr_scheduler_type: constant"));
        var log = fixture.Harness.Log.ToString(logStart, fixture.Harness.Log.Length - logStart);
        Assert.Contains("stuck: DPO loss stayed at ln 2", log);
        Assert.Contains("learning rate too small", log);
    }

    [Fact]
    public async Task A_reference_free_loss_refuses_a_cache_input_and_a_reference_loss_refuses_plain_pairs()
    {
        var h = fixture.Harness;
        var simpo = await Record.ExceptionAsync(() => h.RunAsync(fixture.UpstreamYaml + """
              simpo_on_cache:
                kind: dpo
                input: ref
                init: sft
                loss: { type: simpo, beta: 2.0 }

            """));
        Assert.Contains("reference-free but input 'ref' is a reference log-prob cache", Assert.IsType<UserErrorException>(Unwrap(simpo), exactMatch: false).Message);

        var sigmoid = await Record.ExceptionAsync(() => h.RunAsync(fixture.UpstreamYaml + """
              sigmoid_on_pairs:
                kind: dpo
                input: ingest
                init: sft

            """));
        Assert.Contains("it is not a reference log-prob cache", Assert.IsType<UserErrorException>(Unwrap(sigmoid), exactMatch: false).Message);
    }

    [Fact]
    public async Task A_cache_that_lost_rows_of_its_input_is_refused_before_a_model_loads_naming_the_ids_and_the_fix()
    {
        var h = fixture.Harness;
        var upstream = TrainingPipelines.Ingest(h.DataFile) + TrainingPipelines.Sft() + """
              damaged: { kind: ref-logprobs, input: ingest, model: sft, max_length: 64 }

            """;
        var cache = await h.OutputAsync(await h.RunAsync(upstream), "damaged");
        var lost = await CacheTampering.DropRowsAsync(h.Storage, cache, ktoMismatched: false, 3, 17);

        var loads = ModelLoader.LoadCount;
        var error = await Record.ExceptionAsync(() => h.RunAsync(upstream + """
              on_damaged:
                kind: dpo
                input: damaged
                init: sft
                max_steps: 2

            """));
        var user = Assert.IsType<UserErrorException>(Unwrap(error), exactMatch: false);
        Assert.Equal(
            $"on_damaged: the reference cache 'damaged' is incomplete: 2 of the 48 pairs of its input stage 'ingest' are neither cached nor " +
            $"quarantined ({lost[0]}, {lost[1]}). Recompute it: rerun the ref-logprobs stage with 'align run <pipeline> --force damaged'",
            user.Message);
        Assert.Equal(loads, ModelLoader.LoadCount); // refused before the policy is loaded
    }

    [Fact]
    public async Task Pairs_quarantined_for_over_long_prompts_count_as_covered_by_the_cache()
    {
        var h = fixture.Harness;
        // Byte tokenizer with BOS: prompts "xyz?" … "vwxyz?" are 5–7 tokens, so max_length 6 quarantines the 4- and
        // 5-letter words (prompt_too_long) and caches the 3-letter ones, their completions cut to 1 token.
        var record = await h.RunAsync(TrainingPipelines.Ingest(h.DataFile) + TrainingPipelines.Sft() + """
              short: { kind: ref-logprobs, input: ingest, model: sft, max_length: 6 }

            """);
        var cache = await h.OutputAsync(record, "short");
        var ids = await ReferenceCacheReader.ReadAsync(h.Storage, cache).Select(r => r.Pair.Id).ToListAsync();
        var quarantined = await ParquetTableReader.ReadAllAsync(h.Storage, cache.Files.Where(f => f.StartsWith("quarantine/", StringComparison.Ordinal)).Select(cache.Path))
            .Select(QuarantinedRow.FromRow).CountAsync(q => q.Reason == "prompt_too_long");

        var coverage = await CacheCoverage.OfAsync(h.Storage, cache, ids);
        TestContext.Current.TestOutputHelper?.WriteLine($"cached {ids.Count}, quarantined {quarantined}");
        Assert.True(ids.Count > 0 && quarantined > 0, $"the test needs both: cached {ids.Count}, quarantined {quarantined}");
        Assert.Equal(48, ids.Count + quarantined);
        Assert.True(coverage.Complete);
        Assert.Equal(("ingest", 48L), (coverage.InputStage, coverage.InputPairs));

        var partial = await CacheCoverage.OfAsync(h.Storage, cache, ids.Skip(1));
        Assert.Equal([ids[0]], partial.Missing);
    }

    private static Exception? Unwrap(Exception? error)
    {
        while (error is AggregateException { InnerException: { } inner })
        {
            error = inner;
        }

        return error;
    }
}
