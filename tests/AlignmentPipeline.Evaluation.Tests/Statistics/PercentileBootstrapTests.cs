using AlignmentPipeline.Evaluation.Statistics;

namespace AlignmentPipeline.Evaluation.Tests.Statistics;

public sealed class PercentileBootstrapTests
{
    [Fact]
    public void Quantile_interpolates_linearly_between_order_statistics()
    {
        // Positions q·(m − 1) on [0, 10, 20, 30, 40]: 0.025·4 = 0.1 → 1.0; 0.975·4 = 3.9 → 39.0; 0.5·4 = 2 → 20.
        double[] sorted = [0, 10, 20, 30, 40];

        Assert.Equal(1.0, PercentileBootstrap.Quantile(sorted, 0.025), 12);
        Assert.Equal(39.0, PercentileBootstrap.Quantile(sorted, 0.975), 12);
        Assert.Equal(20.0, PercentileBootstrap.Quantile(sorted, 0.5), 12);
    }

    [Fact]
    public void Resample_count_below_one_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => PercentileBootstrap.MeanInterval([1.0, 0.0], new BootstrapOptions { Resamples = 0 }));
    }
}
