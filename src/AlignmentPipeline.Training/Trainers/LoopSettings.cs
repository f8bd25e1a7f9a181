using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Training.Optimization;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>What every trainer loop needs to know, whatever its objective.</summary>
/// <param name="BatchSize">Examples per forward pass (micro-batch).</param>
/// <param name="AccumulationSteps">Micro-batches per optimizer step.</param>
/// <param name="MaxSteps">Optimizer steps; 0 derives them from <paramref name="Epochs"/>.</param>
/// <param name="Epochs">Passes over the data when <paramref name="MaxSteps"/> is 0.</param>
/// <param name="Schedule">Learning-rate shape after warmup.</param>
/// <param name="LearningRate">Peak learning rate.</param>
/// <param name="WarmupSteps">Linear warmup steps.</param>
/// <param name="MaxGradNorm">Global gradient-norm clip; 0 disables it.</param>
/// <param name="Optimizer">AdamW hyper-parameters.</param>
/// <param name="Seed">Seed of initialisation and data order.</param>
/// <param name="CheckpointEvery">Steps between checkpoints; 0 never.</param>
/// <param name="EvalEvery">Steps between evaluations; 0 only at the end.</param>
internal sealed record LoopSettings(
    int BatchSize, int AccumulationSteps, int MaxSteps, double Epochs, LearningRateScheduleKind Schedule, double LearningRate,
    int WarmupSteps, double MaxGradNorm, AdamWOptions Optimizer, long Seed, int CheckpointEvery, int EvalEvery)
{
    /// <summary>Examples consumed by one optimizer step.</summary>
    public int ExamplesPerStep => BatchSize * AccumulationSteps;

    /// <summary>Optimizer steps for <paramref name="examples"/> training examples: max_steps, else ⌈epochs × examples / per step⌉.</summary>
    public int TotalSteps(int examples) =>
        MaxSteps > 0 ? MaxSteps : Math.Max(1, (int)Math.Ceiling(Epochs * examples / ExamplesPerStep));

    /// <summary>
    /// The steps of a run for its log, e.g. <c>30 steps of 8 (8 × 1 accumulation)</c>; <paramref name="detail"/> goes
    /// inside the parentheses after the accumulation.
    /// </summary>
    public string DescribeSteps(int totalSteps, string detail = "") =>
        $"{totalSteps} steps of {ExamplesPerStep} ({BatchSize} × {AccumulationSteps} accumulation{detail})";

    /// <summary>Whether held-out evaluation runs after <paramref name="stepsDone"/>: every EvalEvery steps and after the last.</summary>
    public bool EvaluatesAfter(long stepsDone, long totalSteps) =>
        stepsDone == totalSteps || (EvalEvery > 0 && stepsDone % EvalEvery == 0);

    /// <summary>The learning-rate schedule over <paramref name="totalSteps"/> steps.</summary>
    public LearningRateSchedule LearningRates(int totalSteps) =>
        new(Schedule, LearningRate, Math.Min(WarmupSteps, totalSteps), totalSteps);

    /// <summary>Problems with these settings, keyed by their YAML names.</summary>
    public IEnumerable<OptionProblem> Validate()
    {
        if (MaxSteps == 0 && Epochs <= 0)
        {
            yield return new("epochs", "must be > 0 when max_steps is 0; set one of them");
        }

        if (MaxSteps > 0 && WarmupSteps > MaxSteps)
        {
            yield return new("warmup_steps", $"({WarmupSteps}) exceeds max_steps ({MaxSteps}); the peak rate would never be reached");
        }

        if (!double.IsFinite(LearningRate) || LearningRate <= 0)
        {
            yield return new("learning_rate", $"must be a number > 0 (got {LearningRate})");
        }

        foreach (var problem in Optimizer.Validate())
        {
            yield return new("optimizer." + problem.Key, problem.Message);
        }
    }
}
