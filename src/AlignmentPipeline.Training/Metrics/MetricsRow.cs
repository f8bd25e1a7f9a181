namespace AlignmentPipeline.Training.Metrics;

/// <summary>One line of <c>metrics.jsonl</c>: the step, the epoch and named values (NaN where the file has null).</summary>
/// <param name="Step">Optimizer steps completed.</param>
/// <param name="Epoch">Fractional epoch.</param>
/// <param name="Values">Metric values by TRL name (<see cref="MetricNames"/>), in the order they were logged.</param>
public sealed record MetricsRow(long Step, double Epoch, IReadOnlyDictionary<string, double> Values)
{
    /// <summary>The value of <paramref name="name"/>, or null when the row does not have it.</summary>
    public double? Get(string name) => Values.TryGetValue(name, out var value) ? value : null;
}
