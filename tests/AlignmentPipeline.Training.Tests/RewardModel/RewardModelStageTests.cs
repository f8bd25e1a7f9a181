using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Training.Tests.Trainers;

namespace AlignmentPipeline.Training.Tests.RewardModel;

[Collection(nameof(TrainerCollection))]
public sealed class RewardModelStageTests(RewardModelPipelineFixture fixture) : IClassFixture<RewardModelPipelineFixture>
{
    [Fact]
    public async Task Held_out_accuracy_rises_far_above_chance_for_a_preference_and_for_its_mirror_image()
    {
        // A head that merely happened to favour one ending would score 1 on one data set and 0 on its mirror; learning
        // the preference scores high on both.
        foreach (var stage in new[] { "rm", "rm_mirror" })
        {
            var stats = await fixture.Harness.StatsAsync(fixture.Trained, stage);
            var eval = stats["eval"]!.AsObject();
            TestContext.Current.TestOutputHelper?.WriteLine($"{stage}: first step loss {stats["first_step_loss"]}, final loss {stats["final_loss"]}, held-out {eval.ToJsonString()}");
            Assert.True(stats["eval_pairs"]!.GetValue<int>() >= 6, $"too few held-out pairs: {stats["eval_pairs"]}");
            Assert.True(eval["eval_accuracy"]!.GetValue<double>() >= 0.9, $"{stage}: held-out accuracy {eval["eval_accuracy"]} after 40 steps");
            Assert.True(eval["eval_margin"]!.GetValue<double>() > 1, $"{stage}: held-out margin {eval["eval_margin"]}");
            Assert.True(stats["final_loss"]!.GetValue<double>() < 0.5 * stats["first_step_loss"]!.GetValue<double>());
        }
    }

    [Fact]
    public async Task The_stage_publishes_a_reward_model_metrics_and_plots()
    {
        var output = await fixture.Harness.OutputAsync(fixture.Trained, "rm");
        foreach (var file in new[] { "model/config.json", "model/model.safetensors", "model/byte_tokenizer.json", "metrics.jsonl",
                     "plots/loss.png", "plots/accuracy.png", "plots/margin.png", "plots/eval_accuracy.png" })
        {
            Assert.Contains(file, output.Files);
        }

        var lines = File.ReadAllLines(Path.Combine(fixture.Harness.Storage.Root, output.Path("metrics.jsonl")));
        Assert.Equal(40 + 2, lines.Length); // one line per step plus evaluations at steps 20 and 40
        foreach (var name in new[] { "\"step\"", "\"epoch\"", "\"loss\"", "\"accuracy\"", "\"margin\"", "\"rewards/chosen\"", "\"rewards/rejected\"",
                     "\"grad_norm\"", "\"learning_rate\"", "\"tokens_per_second\"" })
        {
            Assert.Contains(name, lines[0]);
        }

        Assert.Contains("\"eval_accuracy\"", lines[20]);
        var folder = await fixture.Harness.ModelFolderAsync(fixture.Trained, "rm");
        var (model, _) = ScalarRewardModel.Load(folder, ModelRuntimeOptions.Cpu);
        model.Dispose();
        ModelLoader.Load(folder, ModelRuntimeOptions.Cpu).Model.Dispose(); // the backbone alone, for align model …
    }

    [Fact]
    public async Task Training_changes_the_head_and_backbone_but_never_the_unused_lm_head()
    {
        var sft = await fixture.Harness.ModelFolderAsync(fixture.Trained, "sft");
        var rm = await fixture.Harness.ModelFolderAsync(fixture.Trained, "rm");
        using var before = ModelLoader.Load(sft, ModelRuntimeOptions.Cpu).Model;
        using var after = ModelLoader.Load(rm, ModelRuntimeOptions.Cpu).Model;
        var changed = before.NamedParameters().Zip(after.NamedParameters())
            .ToDictionary(p => p.First.Name, p => !p.First.Parameter.data<float>().ToArray().SequenceEqual(p.Second.Parameter.data<float>().ToArray()));
        Assert.True(changed["model.layers.1.mlp.down_proj.weight"]);
        Assert.False(changed["lm_head.weight"]);
    }

    [Fact]
    public async Task Margin_key_on_pairs_without_that_metadata_fails_before_training_naming_the_pair_and_the_key()
    {
        var error = await Record.ExceptionAsync(() => fixture.Harness.RunAsync(
            fixture.UpstreamYaml + RewardModelPipelineFixture.RewardModel("rm_margin", "split", "max_steps: 1\n    margin_key: margin")));
        while (error is AggregateException { InnerException: { } inner })
        {
            error = inner;
        }

        var user = Assert.IsType<Core.UserErrorException>(error, exactMatch: false);
        Assert.Contains("has no numeric metadata field 'margin'", user.Message);
        Assert.Contains("pair 'p", user.Message);
    }

    [Fact]
    public async Task A_stopped_reward_model_stage_resumes_from_its_checkpoint_to_bitwise_equal_weights()
    {
        var h = fixture.Harness;
        const string options = "max_steps: 8\n    gradient_accumulation_steps: 2\n    checkpoint_every: 3";
        var straight = await h.RunAsync(fixture.UpstreamYaml + RewardModelPipelineFixture.RewardModel("rm_straight", "split", options));
        var expected = File.ReadAllBytes(Path.Combine(await h.ModelFolderAsync(straight, "rm_straight"), "model.safetensors"));

        var stages = fixture.UpstreamYaml + RewardModelPipelineFixture.RewardModel("rm_resumed", "split", options);
        using var stop = new CancellationTokenSource();
        var error = await Record.ExceptionAsync(() => h.RunAsync(stages, line =>
        {
            if (line.Contains("rm_resumed: checkpoint checkpoints/step-000003 saved"))
            {
                stop.Cancel(); // Ctrl+C right after the first checkpoint
            }
        }, stop.Token));
        while (error is AggregateException { InnerException: { } inner })
        {
            error = inner;
        }

        Assert.IsAssignableFrom<OperationCanceledException>(error);
        var resumed = await h.RunAsync(stages);
        Assert.Contains("rm_resumed: resuming from checkpoint checkpoints/step-000003", h.Log.ToString());
        var actual = File.ReadAllBytes(Path.Combine(await h.ModelFolderAsync(resumed, "rm_resumed"), "model.safetensors"));
        Assert.Equal(expected, actual);
    }
}
