using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.ReferenceCache;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>One encoded preference pair and its reference cache row (null when the reference is computed live or not needed).</summary>
/// <param name="Chosen">Prompt and chosen completion ids.</param>
/// <param name="Rejected">Prompt and rejected completion ids.</param>
/// <param name="Cached">The cache row holding the reference log-probs, or null.</param>
internal sealed record DpoExample(LogProbRequest Chosen, LogProbRequest Rejected, CachedPair? Cached)
{
    /// <summary>Prompt and completion tokens of both sequences.</summary>
    public int Tokens => Chosen.PromptIds.Count + Chosen.CompletionIds.Count + Rejected.PromptIds.Count + Rejected.CompletionIds.Count;
}
