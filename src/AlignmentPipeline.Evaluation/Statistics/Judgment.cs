namespace AlignmentPipeline.Evaluation.Statistics;

/// <summary>One judged item: the verdict for the candidate and the lengths (in characters) of both responses.</summary>
/// <param name="ItemId">Stable identifier of the judged item.</param>
/// <param name="Verdict">Outcome from the candidate's point of view.</param>
/// <param name="CandidateLength">Length of the candidate response in characters.</param>
/// <param name="BaselineLength">Length of the baseline response in characters.</param>
public sealed record Judgment(string ItemId, Verdict Verdict, int CandidateLength, int BaselineLength)
{
    /// <summary>The preference for the candidate: 1 for a win, 0.5 for a tie, 0 for a loss; null when invalid.</summary>
    public double? Preference => Verdict switch
    {
        Verdict.Win => 1.0,
        Verdict.Tie => 0.5,
        Verdict.Loss => 0.0,
        _ => null,
    };

    /// <summary>The same judgment seen from the baseline's side: wins and losses trade places, lengths swap.</summary>
    public Judgment Swapped() => new(
        ItemId,
        Verdict switch { Verdict.Win => Verdict.Loss, Verdict.Loss => Verdict.Win, var same => same },
        BaselineLength,
        CandidateLength);
}
