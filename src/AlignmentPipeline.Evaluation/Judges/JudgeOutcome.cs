using AlignmentPipeline.Evaluation.Statistics;

namespace AlignmentPipeline.Evaluation.Judges;

/// <summary>A judge's decision on one item.</summary>
/// <param name="Verdict">Outcome from the candidate's point of view.</param>
/// <param name="Fields">Judge-specific raw fields (scores, per-order verdicts, the reason an item is invalid).</param>
/// <param name="CandidateScore">Scalar score of the candidate when the judge produces one (rule scorers, reward models).</param>
/// <param name="BaselineScore">Scalar score of the baseline when the judge produces one.</param>
public sealed record JudgeOutcome(
    Verdict Verdict,
    IReadOnlyDictionary<string, string> Fields,
    double? CandidateScore = null,
    double? BaselineScore = null);
