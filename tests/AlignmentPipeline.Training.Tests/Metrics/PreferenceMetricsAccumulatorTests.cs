using AlignmentPipeline.Training.Losses;
using AlignmentPipeline.Training.Metrics;
using AlignmentPipeline.Training.Tests.Losses;
using TorchSharp;

namespace AlignmentPipeline.Training.Tests.Metrics;

public sealed class PreferenceMetricsAccumulatorTests
{
    [Fact]
    public void Means_cover_every_pair_of_every_micro_batch()
    {
        // β = 0.1. Micro-batch 1: one pair, a = π_c − ref_c = 1, b = −1 → rewards 0.1 / −0.1, accurate.
        // Micro-batch 2: two pairs, (a, b) = (−2, 0) → rewards −0.2 / 0 (wrong), and (0, 0) → 0 / 0 (a tie is not accurate).
        // Means over 3 pairs: chosen (0.1 − 0.2 + 0)/3 = −1/30, rejected −0.1/3, margins (0.2 − 0.2 + 0)/3 = 0,
        // accuracies 1/3, logps/chosen (−10 − 13 − 5)/3 = −28/3, logps/rejected (−12 − 4 − 6)/3 = −22/3.
        using var scope = torch.NewDisposeScope();
        var loss = new SigmoidLoss(0.1, 0);
        var accumulator = new PreferenceMetricsAccumulator();
        var first = LossInputs.WorkedExample();
        accumulator.Add(loss.Compute(first), first);
        var second = LossInputs.Batch([-13.0, -5.0], [-4.0, -6.0], [-11.0, -5.0], [-4.0, -6.0], [3, 3], [3, 3]);
        accumulator.Add(loss.Compute(second), second);

        var means = accumulator.Means().ToDictionary();

        Assert.Equal(3, accumulator.Count);
        Assert.Equal(-1.0 / 30, means[MetricNames.RewardsChosen], 1e-12);
        Assert.Equal(-0.1 / 3, means[MetricNames.RewardsRejected], 1e-12);
        Assert.Equal(0.0, means[MetricNames.RewardsMargins], 1e-12);
        Assert.Equal(1.0 / 3, means[MetricNames.RewardsAccuracies], 1e-12);
        Assert.Equal(-28.0 / 3, means[MetricNames.LogpsChosen], 1e-12);
        Assert.Equal(-22.0 / 3, means[MetricNames.LogpsRejected], 1e-12);

        accumulator.Reset();
        Assert.Throws<InvalidOperationException>(() => accumulator.Means());
    }
}
