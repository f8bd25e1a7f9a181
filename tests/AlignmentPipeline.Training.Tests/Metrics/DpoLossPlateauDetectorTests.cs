using AlignmentPipeline.Training.Metrics;

namespace AlignmentPipeline.Training.Tests.Metrics;

public sealed class DpoLossPlateauDetectorTests
{
    private static readonly double Ln2 = Math.Log(2);

    [Fact]
    public void Warns_once_after_five_steps_at_ln2_with_a_non_zero_learning_rate()
    {
        var detector = new DpoLossPlateauDetector();
        var warnings = new List<PlateauWarning>();
        for (var step = 1; step <= 12; step++)
        {
            if (detector.Observe(step, Ln2 + 5e-5, 1e-6) is { } warning)
            {
                warnings.Add(warning);
            }
        }
        var only = Assert.Single(warnings);
        Assert.Equal(1, only.FirstStep);
        Assert.Equal(5, only.LastStep);
        Assert.Contains("0.6931", only.Message);
        Assert.Equal(3, only.LikelyCauses.Count);
    }

    [Fact]
    public void Steps_at_learning_rate_zero_do_not_count()
    {
        var detector = new DpoLossPlateauDetector();
        for (var step = 0; step < 10; step++)
        {
            Assert.Null(detector.Observe(step, Ln2, 0));
        }
        Assert.Null(detector.Observe(10, Ln2, 1e-6));
    }

    [Fact]
    public void A_moving_loss_never_warns_and_leaving_the_band_resets_the_count()
    {
        var detector = new DpoLossPlateauDetector();
        for (var step = 1; step <= 4; step++)
        {
            Assert.Null(detector.Observe(step, Ln2, 1e-6));
        }
        Assert.Null(detector.Observe(5, Ln2 - 2e-4, 1e-6)); // outside ±1e-4
        for (var step = 6; step <= 9; step++)
        {
            Assert.Null(detector.Observe(step, Ln2, 1e-6));
        }
        Assert.NotNull(detector.Observe(10, Ln2, 1e-6));
    }

    [Fact]
    public void Zero_gradient_norm_puts_frozen_parameters_first()
    {
        var detector = new DpoLossPlateauDetector(patience: 3);
        PlateauWarning? warning = null;
        for (var step = 1; step <= 3; step++)
        {
            warning = detector.Observe(step, Ln2, 1e-6, gradNorm: 0, rewardMargin: 0);
        }
        Assert.NotNull(warning);
        Assert.StartsWith("policy not updated", warning.LikelyCauses[0]);
        Assert.Contains("grad_norm is 0", warning.LikelyCauses[0]);
        Assert.StartsWith("rewards identical", warning.LikelyCauses[1]);
    }

    [Fact]
    public void A_tiny_learning_rate_is_named_first_when_gradients_flow()
    {
        var detector = new DpoLossPlateauDetector(patience: 3);
        PlateauWarning? warning = null;
        for (var step = 1; step <= 3; step++)
        {
            warning = detector.Observe(step, Ln2, 1e-9, gradNorm: 0.8, rewardMargin: 1e-7);
        }
        Assert.NotNull(warning);
        Assert.StartsWith("learning rate too small", warning.LikelyCauses[0]);
    }

    [Fact]
    public void Scan_finds_the_plateau_in_logged_rows()
    {
        var rows = Enumerable.Range(1, 8).Select(step => new MetricsRow(step, step / 8.0, new Dictionary<string, double>
        {
            [MetricNames.Loss] = step <= 2 ? 0.9 : Ln2,
            [MetricNames.LearningRate] = 1e-6,
            [MetricNames.GradNorm] = 0,
        })).ToArray();
        var warning = Assert.Single(DpoLossPlateauDetector.Scan(rows));
        Assert.Equal(3, warning.FirstStep);
        Assert.Equal(7, warning.LastStep);
    }
}
