namespace AlignmentPipeline.Evaluation.Statistics;

/// <summary>Settings of the percentile bootstrap for the win-rate interval.</summary>
public sealed record BootstrapOptions
{
    /// <summary>Number of bootstrap resamples. Default 2000.</summary>
    public int Resamples { get; init; } = 2000;

    /// <summary>Seed of the resampling generator; the same seed and data give the same interval. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Two-sided coverage of the interval, in (0, 1). Default 0.95.</summary>
    public double ConfidenceLevel { get; init; } = 0.95;
}
