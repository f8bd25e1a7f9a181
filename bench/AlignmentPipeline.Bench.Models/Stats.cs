namespace AlignmentPipeline.Bench.Models;

/// <summary>Order statistics of a few timings.</summary>
internal static class Stats
{
    /// <summary>The middle value (mean of the two middle values for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
