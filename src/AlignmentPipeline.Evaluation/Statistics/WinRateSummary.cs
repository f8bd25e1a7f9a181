namespace AlignmentPipeline.Evaluation.Statistics;

/// <summary>Win rate of a candidate against a baseline, with its uncertainty and a length-controlled variant.</summary>
/// <param name="N">Valid judgments (wins + losses + ties); the denominator of every rate here.</param>
/// <param name="Wins">Items the candidate won.</param>
/// <param name="Losses">Items the candidate lost.</param>
/// <param name="Ties">Items judged equal; each counts as half a win.</param>
/// <param name="Invalid">Items with no usable verdict; excluded from every rate and mean.</param>
/// <param name="WinRate">(wins + ties / 2) / n.</param>
/// <param name="StandardError">Sample standard deviation (n − 1) of the per-item preferences over √n; 0 when n = 1.</param>
/// <param name="CiLow">Lower end of the seeded percentile bootstrap interval of the win rate.</param>
/// <param name="CiHigh">Upper end of the seeded percentile bootstrap interval of the win rate.</param>
/// <param name="LcWinRate">Length-controlled win rate (AlpacaEval 2 style); null when the regression has no finite fit.</param>
/// <param name="MeanLengthCandidate">Mean candidate length in characters over the n valid items.</param>
/// <param name="MeanLengthBaseline">Mean baseline length in characters over the n valid items.</param>
public sealed record WinRateSummary(
    int N,
    int Wins,
    int Losses,
    int Ties,
    int Invalid,
    double WinRate,
    double StandardError,
    double CiLow,
    double CiHigh,
    double? LcWinRate,
    double MeanLengthCandidate,
    double MeanLengthBaseline)
{
    /// <summary>True when the bootstrap interval lies entirely above or entirely below 0.5.</summary>
    public bool IntervalExcludesHalf => CiLow > 0.5 || CiHigh < 0.5;
}
