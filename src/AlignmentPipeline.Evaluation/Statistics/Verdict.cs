namespace AlignmentPipeline.Evaluation.Statistics;

/// <summary>The outcome of judging one item, always from the candidate's point of view.</summary>
public enum Verdict
{
    /// <summary>The candidate response is better than the baseline.</summary>
    Win,

    /// <summary>The baseline response is better than the candidate.</summary>
    Loss,

    /// <summary>Neither is better; counts as half a win.</summary>
    Tie,

    /// <summary>No usable verdict (malformed reply, refusal, failed request). Excluded from the win rate and counted.</summary>
    Invalid,
}
