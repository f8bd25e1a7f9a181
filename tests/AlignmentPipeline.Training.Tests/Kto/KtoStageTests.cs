using AlignmentPipeline.Core;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.ReferenceCache;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Training.Tests.Trainers;
using AlignmentPipeline.Training.Trainers;
using TorchSharp;

namespace AlignmentPipeline.Training.Tests.Kto;

[Collection(nameof(TrainerCollection))]
public sealed class KtoStageTests(KtoPipelineFixture fixture) : IClassFixture<KtoPipelineFixture>
{
    [Fact]
    public void Kto_loads_only_the_policy_and_says_every_reference_value_comes_from_the_cache()
    {
        Assert.Equal(1, fixture.KtoModelLoads);
        Assert.Contains("mismatched KL completions come from cache", fixture.KtoLog);
        Assert.Contains("the reference model is not loaded", fixture.KtoLog);
    }

    [Fact]
    public async Task Step_zero_with_policy_equal_to_reference_costs_half_a_weight_per_example_with_zero_kl()
    {
        var stats = await fixture.Harness.StatsAsync(fixture.WithKto, "kto");
        // Policy = reference: every log-ratio r and z₀ are 0, so each example's loss is λ·(1 − σ(0)) = 1 · 0.5. The cache
        // scored other batches (other padding), so equality holds to float32 rounding.
        Assert.Equal(0.5, stats["first_step_loss"]!.GetValue<double>(), 1e-5);
        Assert.Contains("kto: sanity check passed at step 0", fixture.KtoLog);
    }

    [Fact]
    public async Task Kto_raises_held_out_reward_accuracy_on_a_learnable_preference()
    {
        var stats = await fixture.Harness.StatsAsync(fixture.WithKto, "kto");
        var eval = stats["eval"]!.AsObject();
        TestContext.Current.TestOutputHelper?.WriteLine($"held-out: {eval.ToJsonString()}; final train loss {stats["final_loss"]}");
        Assert.True(stats["eval_pairs"]!.GetValue<int>() >= 6, $"too few held-out pairs: {stats["eval_pairs"]}");
        // Before training every held-out reward is 0 (accuracy 0: ties are not wins); a coin would score 0.5.
        var accuracy = eval["eval_rewards/accuracies"]!.GetValue<double>();
        Assert.True(accuracy >= 0.8, $"held-out rewards/accuracies {accuracy} after 30 steps");
        Assert.True(eval["eval_rewards/margins"]!.GetValue<double>() > 0);
    }

    [Fact]
    public async Task Kto_logs_trls_kto_metric_names_and_publishes_a_loadable_model()
    {
        var output = await fixture.Harness.OutputAsync(fixture.WithKto, "kto");
        foreach (var file in new[] { "model/config.json", "model/model.safetensors", "metrics.jsonl", "plots/loss.png", "plots/kl.png", "plots/eval_rewards_accuracies.png" })
        {
            Assert.Contains(file, output.Files);
        }

        var lines = File.ReadAllLines(Path.Combine(fixture.Harness.Storage.Root, output.Path("metrics.jsonl")));
        Assert.Equal(30 + 2, lines.Length); // one line per step plus evaluations at steps 15 and 30
        foreach (var name in new[] { "\"loss\"", "\"kl\"", "\"rewards/chosen\"", "\"rewards/rejected\"", "\"rewards/margins\"", "\"logps/chosen\"",
                     "\"logps/rejected\"", "\"grad_norm\"", "\"learning_rate\"", "\"tokens_per_second\"" })
        {
            Assert.Contains(name, lines[0]);
        }

        using var model = ModelLoader.Load(await fixture.Harness.ModelFolderAsync(fixture.WithKto, "kto"), ModelRuntimeOptions.Cpu).Model;
        Assert.Equal(259, model.Config.VocabSize);
    }

    [Fact]
    public async Task The_cache_scores_each_prompt_with_the_next_pairs_completions_as_a_live_forward_does()
    {
        var h = fixture.Harness;
        var cache = await h.OutputAsync(fixture.Upstream, "cache");
        var rows = await ReferenceCacheReader.ReadAsync(h.Storage, cache).ToListAsync();
        Assert.Equal(48, rows.Count); // one shard, one window: the donor of row k is row k + 1, the last row's the first
        var folder = await h.ModelFolderAsync(fixture.Upstream, "sft");
        var encoder = TokenizerSource.Resolve(null, folder).Encoder;
        using var model = ModelLoader.Load(folder, ModelRuntimeOptions.Cpu).Model;
        using var scope = torch.NewDisposeScope();
        double largest = 0;
        for (var k = 0; k < rows.Count; k++)
        {
            var (row, donor) = (rows[k], rows[(k + 1) % rows.Count].Pair);
            Assert.Equal(donor.Id, row.Mismatched!.DonorId);
            var chosen = encoder.Encode(row.Pair.Prompt, donor.Chosen);
            var rejected = encoder.Encode(row.Pair.Prompt, donor.Rejected);
            var live = CompletionLogProbs.Compute(model,
                [new LogProbRequest(chosen.PromptIds, chosen.CompletionIds), new LogProbRequest(rejected.PromptIds, rejected.CompletionIds)],
                LogProbMode.Inference).Sums.data<float>().ToArray();
            Assert.Equal((chosen.CompletionIds.Count, rejected.CompletionIds.Count), (row.Mismatched.ChosenTokens, row.Mismatched.RejectedTokens));
            largest = Math.Max(largest, Math.Max(Math.Abs(live[0] - row.Mismatched.ChosenLogp), Math.Abs(live[1] - row.Mismatched.RejectedLogp)));
        }

        // Sums of ~10 float32 token log-probs of magnitude ≤ 10, scored in other batches: rounding stays far below 1e-4.
        TestContext.Current.TestOutputHelper?.WriteLine($"largest |live − cached| {largest:E3}");
        Assert.True(largest < 1e-4, $"largest |live − cached| mismatched log-prob {largest:E3}");
    }

    [Fact]
    public async Task Kto_with_lora_adapters_starts_at_the_reference_and_moves_only_through_them()
    {
        var h = fixture.Harness;
        var logStart = h.Log.Length;
        var record = await h.RunAsync(fixture.UpstreamYaml + KtoPipelines.Kto("kto_lora", "max_steps: 3\n    learning_rate: 0.01\n    lora: { rank: 4, alpha: 8 }"));
        var log = h.Log.ToString(logStart, h.Log.Length - logStart);
        Assert.Contains("kto_lora: LoRA rank 4", log);
        // B = 0 at step 0, so the adapted policy equals the reference: the same λ/2 per example as without LoRA.
        Assert.Contains("kto_lora: sanity check passed at step 0", log);
        Assert.Equal(0.5, (await h.StatsAsync(record, "kto_lora"))["first_step_loss"]!.GetValue<double>(), 1e-5);

        using var sft = ModelLoader.Load(await h.ModelFolderAsync(fixture.Upstream, "sft"), ModelRuntimeOptions.Cpu).Model;
        using var merged = ModelLoader.Load(await h.ModelFolderAsync(record, "kto_lora"), ModelRuntimeOptions.Cpu).Model;
        using var scope = torch.NewDisposeScope();
        var changed = sft.NamedParameters().Zip(merged.NamedParameters())
            .Where(p => (p.First.Parameter - p.Second.Parameter).abs().max().item<float>() > 0).Select(p => p.First.Name).ToList();
        // The merged export differs from the base exactly in the adapted projections (q_proj and v_proj by default).
        Assert.NotEmpty(changed);
        Assert.All(changed, name => Assert.True(name.EndsWith("q_proj.weight", StringComparison.Ordinal) || name.EndsWith("v_proj.weight", StringComparison.Ordinal), name));
    }

    [Fact]
    public async Task Kto_refuses_a_cache_without_mismatched_completions_naming_the_option()
    {
        var h = fixture.Harness;
        var stages = TrainingPipelines.Ingest(h.DataFile) + TrainingPipelines.Sft() + KtoPipelines.CacheWithoutKl + KtoPipelines.Kto("kto_plain", "max_steps: 1", "plain_cache");
        var error = await Record.ExceptionAsync(() => h.RunAsync(stages));
        var user = Assert.IsType<UserErrorException>(Unwrap(error), exactMatch: false);
        Assert.Contains("input stage 'plain_cache' (ref-logprobs) has no reference log-probs of mismatched completions", user.Message);
        Assert.Contains("set 'kto_mismatched: true'", user.Message);
    }

    [Fact]
    public async Task A_stopped_kto_stage_resumes_from_its_checkpoint_to_bitwise_equal_weights()
    {
        var h = fixture.Harness;
        const string options = "max_steps: 8\n    batch_size: 4\n    gradient_accumulation_steps: 2\n    learning_rate: 0.001\n    checkpoint_every: 3";
        var straight = await h.RunAsync(fixture.UpstreamYaml + KtoPipelines.Kto("kto_straight", options));
        var expected = File.ReadAllBytes(Path.Combine(await h.ModelFolderAsync(straight, "kto_straight"), "model.safetensors"));

        var stages = fixture.UpstreamYaml + KtoPipelines.Kto("kto_resumed", options);
        using var stop = new CancellationTokenSource();
        var error = await Record.ExceptionAsync(() => h.RunAsync(stages, line =>
        {
            if (line.Contains("kto_resumed: checkpoint checkpoints/step-000003 saved"))
            {
                stop.Cancel(); // Ctrl+C right after the first checkpoint
            }
        }, stop.Token));
        Assert.IsAssignableFrom<OperationCanceledException>(Unwrap(error));

        var resumed = await h.RunAsync(stages);
        Assert.Contains("kto_resumed: resuming from checkpoint checkpoints/step-000003", h.Log.ToString());
        var actual = File.ReadAllBytes(Path.Combine(await h.ModelFolderAsync(resumed, "kto_resumed"), "model.safetensors"));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Kto_refuses_a_cache_that_lost_a_row_of_its_input_naming_the_id()
    {
        var h = fixture.Harness;
        var upstream = TrainingPipelines.Ingest(h.DataFile) + TrainingPipelines.Sft() + """
              damaged: { kind: ref-logprobs, input: ingest, model: sft, max_length: 64, kto_mismatched: true }

            """;
        var cache = await h.OutputAsync(await h.RunAsync(upstream), "damaged");
        var lost = await CacheTampering.DropRowsAsync(h.Storage, cache, ktoMismatched: true, 0);

        var error = await Record.ExceptionAsync(() => h.RunAsync(upstream + KtoPipelines.Kto("kto_damaged", "max_steps: 1", "damaged")));
        var user = Assert.IsType<UserErrorException>(Unwrap(error), exactMatch: false);
        Assert.Contains($"kto_damaged: the reference cache 'damaged' is incomplete: 1 of the 48 pairs of its input stage 'ingest' are neither cached nor quarantined ({lost[0]})", user.Message);
        Assert.Contains("--force damaged", user.Message);
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
