using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Training.Tests.Trainers;

namespace AlignmentPipeline.Training.Tests.Integration;

/// <summary>
/// <c>live_reference: true</c> end to end for users without a cache: a dpo stage on a plain pairs stage loads the
/// reference beside the policy and starts where a cached run starts.
/// </summary>
[Collection(nameof(TrainerCollection))]
public sealed class LiveReferenceDpoTests
{
    [Fact]
    public async Task Live_reference_trains_on_plain_pairs_loading_policy_and_reference()
    {
        using var h = new TrainerHarness();
        var upstream = TrainingPipelines.Ingest(h.DataFile) + TrainingPipelines.Sft(steps: 5);
        await h.RunAsync(upstream);
        var before = ModelLoader.LoadCount;
        var record = await h.RunAsync(upstream + """
              live:
                kind: dpo
                input: ingest
                init: sft
                live_reference: true
                max_steps: 2
                learning_rate: 0.001

            """);

        Assert.Equal(2, ModelLoader.LoadCount - before); // the policy and the live reference; sft was reused
        var stats = await h.StatsAsync(record, "live");
        // Policy = reference at step 0: every implicit reward is 0 and the sigmoid loss −log σ(0) = ln 2.
        Assert.Equal(Math.Log(2), stats["first_step_loss"]!.GetValue<double>(), 1e-6);
        Assert.Equal(0, stats["first_step_margin"]!.GetValue<double>(), 1e-6);
        Assert.True(stats["final_loss"]!.GetValue<double>() < Math.Log(2), $"final loss {stats["final_loss"]} after 2 steps at 1e-3");
    }
}
