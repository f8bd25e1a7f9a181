using AlignmentPipeline.Core.Configuration;

namespace AlignmentPipeline.Training.Optimization;

/// <summary>
/// A learning-rate schedule as a pure function of the optimizer step, identical to Hugging Face's
/// <c>get_{constant,linear,cosine}_schedule_with_warmup</c>: <see cref="At"/>(k) is the rate of the update that
/// follows k completed updates (so with warmup the first update, k = 0, uses rate 0, as in Hugging Face and TRL).
/// </summary>
/// <param name="Kind">Shape after warmup.</param>
/// <param name="PeakLearningRate">The rate reached at the end of warmup, &gt; 0 (TRL's DPO default is 1e-6).</param>
/// <param name="WarmupSteps">Updates of linear warmup from 0 to the peak, ≥ 0.</param>
/// <param name="TotalSteps">Total number of updates in the run, ≥ 1 and ≥ <paramref name="WarmupSteps"/>.</param>
public sealed record LearningRateSchedule(LearningRateScheduleKind Kind, double PeakLearningRate, long WarmupSteps, long TotalSteps)
{
    /// <summary>The learning rate after <paramref name="step"/> completed updates; past <see cref="TotalSteps"/> it stays at the final value.</summary>
    public double At(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < WarmupSteps)
        {
            return PeakLearningRate * step / Math.Max(1, WarmupSteps);
        }
        var progress = Math.Min(1.0, (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps));
        var factor = Kind switch
        {
            LearningRateScheduleKind.Constant => 1.0,
            LearningRateScheduleKind.Linear => Math.Max(0.0, (double)(TotalSteps - step) / Math.Max(1, TotalSteps - WarmupSteps)),
            LearningRateScheduleKind.Cosine => 0.5 * (1.0 + Math.Cos(Math.PI * progress)),
            _ => throw new InvalidOperationException($"Unknown schedule kind {Kind}."),
        };
        return PeakLearningRate * factor;
    }

    /// <summary>Every problem with this schedule, all at once.</summary>
    public IReadOnlyList<OptionProblem> Validate()
    {
        var problems = new List<OptionProblem>();
        if (!Enum.IsDefined(Kind))
        {
            problems.Add(new("lr_scheduler_type", $"unknown schedule {Kind}; use constant, linear or cosine."));
        }
        if (!double.IsFinite(PeakLearningRate) || PeakLearningRate <= 0)
        {
            problems.Add(new("learning_rate", $"must be a finite number > 0 (got {PeakLearningRate}); DPO usually uses 5e-7–5e-6."));
        }
        if (WarmupSteps < 0)
        {
            problems.Add(new("warmup_steps", $"must be ≥ 0 (got {WarmupSteps})."));
        }
        if (TotalSteps < 1)
        {
            problems.Add(new("max_steps", $"must be ≥ 1 (got {TotalSteps})."));
        }
        else if (WarmupSteps > TotalSteps)
        {
            problems.Add(new("warmup_steps", $"({WarmupSteps}) exceeds the total number of steps ({TotalSteps}); the peak rate would never be reached."));
        }
        return problems;
    }
}
