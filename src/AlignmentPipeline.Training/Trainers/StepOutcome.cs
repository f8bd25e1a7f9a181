namespace AlignmentPipeline.Training.Trainers;

/// <summary>One optimizer step as <see cref="TrainingLoop{TExample}"/> logged it.</summary>
/// <param name="StepsDone">Steps completed, this one included (1 for the first step).</param>
/// <param name="Loss">The step's loss.</param>
/// <param name="Metrics">The objective's metrics of the step by TRL name.</param>
/// <param name="LearningRate">The rate the step was taken at.</param>
/// <param name="GradNorm">The global gradient norm before clipping (non-finite when the update was skipped).</param>
internal sealed record StepOutcome(long StepsDone, double Loss, IReadOnlyList<KeyValuePair<string, double>> Metrics, double LearningRate, double GradNorm)
{
    /// <summary>The value of metric <paramref name="name"/>.</summary>
    public double Metric(string name) => Metrics.First(m => m.Key == name).Value;
}
