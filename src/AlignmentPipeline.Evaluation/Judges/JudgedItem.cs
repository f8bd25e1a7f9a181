using AlignmentPipeline.Evaluation.Statistics;

namespace AlignmentPipeline.Evaluation.Judges;

/// <summary>A request together with the judge's outcome for it.</summary>
public sealed record JudgedItem(JudgeRequest Request, JudgeOutcome Outcome)
{
    /// <summary>The statistics view: verdict and both response lengths in characters.</summary>
    public Judgment ToJudgment() =>
        new(Request.ItemId, Outcome.Verdict, Request.Candidate.Length, Request.Baseline.Length);
}
