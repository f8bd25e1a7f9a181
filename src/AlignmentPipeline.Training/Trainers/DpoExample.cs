using AlignmentPipeline.Modeling.LogProbs;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>One encoded preference pair and its cached reference log-probs (null when computed live or not needed).</summary>
/// <param name="Chosen">Prompt and chosen completion ids.</param>
/// <param name="Rejected">Prompt and rejected completion ids.</param>
/// <param name="Reference">The cached reference values, or null.</param>
internal sealed record DpoExample(LogProbRequest Chosen, LogProbRequest Rejected, ReferenceLogps? Reference)
{
    /// <summary>Prompt and completion tokens of both sequences.</summary>
    public int Tokens => Chosen.PromptIds.Count + Chosen.CompletionIds.Count + Rejected.PromptIds.Count + Rejected.CompletionIds.Count;
}
