namespace AlignmentPipeline.Evaluation.Statistics;

/// <summary>Seeded percentile bootstrap interval of a mean (Efron and Tibshirani 1993, ch. 13).</summary>
internal static class PercentileBootstrap
{
    /// <summary>
    /// Resamples <paramref name="values"/> with replacement <see cref="BootstrapOptions.Resamples"/> times, takes the
    /// mean of each resample, and returns the (1 − level)/2 and (1 + level)/2 quantiles of those means, interpolated
    /// linearly between order statistics (numpy's default quantile rule).
    /// </summary>
    public static (double Low, double High) MeanInterval(IReadOnlyList<double> values, BootstrapOptions options)
    {
        if (values.Count == 0)
            throw new ArgumentException("the bootstrap needs at least one value", nameof(values));
        if (options.Resamples < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.Resamples, "Resamples must be at least 1");
        if (options.ConfidenceLevel is not (> 0 and < 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.ConfidenceLevel, "ConfidenceLevel must lie strictly between 0 and 1");
        var random = new Random(options.Seed);
        var n = values.Count;
        var means = new double[options.Resamples];
        for (var r = 0; r < means.Length; r++)
        {
            var sum = 0.0;
            for (var i = 0; i < n; i++)
                sum += values[random.Next(n)];
            means[r] = sum / n;
        }
        Array.Sort(means);
        var tail = (1 - options.ConfidenceLevel) / 2;
        return (Quantile(means, tail), Quantile(means, 1 - tail));
    }

    /// <summary>Quantile q of sorted data with linear interpolation at position q·(m − 1).</summary>
    internal static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        var fraction = position - below;
        return sorted[below] + fraction * (sorted[above] - sorted[below]);
    }
}
