namespace AlignmentPipeline.Evaluation.Statistics;

/// <summary>Turns per-item judgments into a <see cref="WinRateSummary"/>.</summary>
public static class WinRateStatistics
{
    /// <summary>
    /// Summarizes judgments: counts, win rate (ties count half; invalid judgments are excluded and counted), standard
    /// error, seeded percentile bootstrap interval, length-controlled win rate and mean lengths.
    /// </summary>
    /// <param name="judgments">One judgment per item.</param>
    /// <param name="bootstrap">Bootstrap settings; null means 2000 resamples, seed 0, 95 %.</param>
    /// <exception cref="ArgumentException">No judgment is valid, so no rate exists.</exception>
    public static WinRateSummary Summarize(IReadOnlyList<Judgment> judgments, BootstrapOptions? bootstrap = null)
    {
        bootstrap ??= new BootstrapOptions();
        var valid = judgments.Where(j => j.Verdict != Verdict.Invalid).ToList();
        var invalid = judgments.Count - valid.Count;
        if (valid.Count == 0)
            throw new ArgumentException(
                $"no valid judgment among {judgments.Count} items ({invalid} invalid), so there is no win rate; " +
                "check the judge's stats for the reasons", nameof(judgments));

        var preferences = valid.Select(j => j.Preference!.Value).ToList();
        var n = valid.Count;
        var winRate = preferences.Average();
        var standardError = n < 2
            ? 0
            : Math.Sqrt(preferences.Sum(p => (p - winRate) * (p - winRate)) / (n - 1) / n);
        var (low, high) = PercentileBootstrap.MeanInterval(preferences, bootstrap);
        var lengthControlled = LengthControlledWinRate.Fit(
            preferences,
            valid.Select(j => (double)j.CandidateLength - j.BaselineLength).ToList());

        return new WinRateSummary(
            N: n,
            Wins: valid.Count(j => j.Verdict == Verdict.Win),
            Losses: valid.Count(j => j.Verdict == Verdict.Loss),
            Ties: valid.Count(j => j.Verdict == Verdict.Tie),
            Invalid: invalid,
            WinRate: winRate,
            StandardError: standardError,
            CiLow: low,
            CiHigh: high,
            LcWinRate: lengthControlled.WinRate,
            MeanLengthCandidate: valid.Average(j => (double)j.CandidateLength),
            MeanLengthBaseline: valid.Average(j => (double)j.BaselineLength));
    }
}
