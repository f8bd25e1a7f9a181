using AlignmentPipeline.Training.Optimization;

namespace AlignmentPipeline.Training.Tests.Optimization;

public sealed class LearningRateScheduleTests
{
    private const double Peak = 1e-3;

    private static LearningRateSchedule Schedule(LearningRateScheduleKind kind, long warmup = 10, long total = 100) =>
        new(kind, Peak, warmup, total);

    [Theory]
    [InlineData(LearningRateScheduleKind.Constant)]
    [InlineData(LearningRateScheduleKind.Linear)]
    [InlineData(LearningRateScheduleKind.Cosine)]
    public void Warmup_rises_linearly_from_zero_to_the_peak(LearningRateScheduleKind kind)
    {
        var schedule = Schedule(kind);
        Assert.Equal(0.0, schedule.At(0));
        Assert.Equal(1e-4, schedule.At(1), 1e-15); // 1/10 of the peak
        Assert.Equal(5e-4, schedule.At(5), 1e-15);
        Assert.Equal(9e-4, schedule.At(9), 1e-15);
        Assert.Equal(Peak, schedule.At(10), 1e-15);
    }

    [Fact]
    public void Cosine_is_half_way_at_the_middle_of_the_decay_and_zero_at_the_end()
    {
        var schedule = Schedule(LearningRateScheduleKind.Cosine);
        // Decay spans steps 10..100 (90 steps); step 55 is progress 0.5: 0.5·(1 + cos(π/2)) = 0.5.
        Assert.Equal(0.5 * Peak, schedule.At(55), 1e-15);
        // Step 40 is progress 1/3: 0.5·(1 + cos(π/3)) = 0.75.
        Assert.Equal(0.75 * Peak, schedule.At(40), 1e-15);
        Assert.Equal(0.0, schedule.At(100), 1e-18);
        Assert.Equal(0.0, schedule.At(150), 1e-18); // stays at the final value, never rises again
    }

    [Fact]
    public void Linear_decays_to_zero_at_the_last_step()
    {
        var schedule = Schedule(LearningRateScheduleKind.Linear);
        Assert.Equal(Peak * 89 / 90, schedule.At(11), 1e-15); // (100 − 11) / 90
        Assert.Equal(0.5 * Peak, schedule.At(55), 1e-15);
        Assert.Equal(Peak / 90, schedule.At(99), 1e-15);
        Assert.Equal(0.0, schedule.At(100));
        Assert.Equal(0.0, schedule.At(101));
    }

    [Fact]
    public void Constant_holds_the_peak_after_warmup_and_from_step_zero_without_warmup()
    {
        Assert.Equal(Peak, Schedule(LearningRateScheduleKind.Constant).At(100));
        Assert.Equal(Peak, Schedule(LearningRateScheduleKind.Constant, warmup: 0).At(0));
        Assert.Equal(Peak, Schedule(LearningRateScheduleKind.Cosine, warmup: 0).At(0));
    }

    [Fact]
    public void Warmup_equal_to_total_ends_linear_at_zero_like_hugging_face()
    {
        var schedule = Schedule(LearningRateScheduleKind.Linear, warmup: 10, total: 10);
        Assert.Equal(9e-4, schedule.At(9), 1e-15);
        Assert.Equal(0.0, schedule.At(10));
    }

    [Fact]
    public void Validation_reports_every_problem()
    {
        var problems = new LearningRateSchedule((LearningRateScheduleKind)42, 0, -1, 0).Validate();
        Assert.Equal(["lr_scheduler_type", "learning_rate", "warmup_steps", "max_steps"], problems.Select(p => p.Key).ToArray());
        Assert.Single(new LearningRateSchedule(LearningRateScheduleKind.Cosine, 1e-6, 20, 10).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedule(LearningRateScheduleKind.Cosine).At(-1));
    }
}
