using AlignmentPipeline.Modeling.LogProbs;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>
/// One unpaired KTO example: a completion labelled desirable or undesirable, its mismatched KL completion (the same
/// prompt followed by another pair's completion) and the cached reference log-probs of both.
/// </summary>
/// <param name="Completion">Prompt and completion ids.</param>
/// <param name="Desirable">True for a desirable (chosen) completion, false for an undesirable (rejected) one.</param>
/// <param name="Reference">Summed reference log-prob of <paramref name="Completion"/>, from the cache.</param>
/// <param name="KlCompletion">The same prompt with the donor pair's completion of the same label.</param>
/// <param name="KlReference">Summed reference log-prob of <paramref name="KlCompletion"/>, from the cache.</param>
internal sealed record KtoExample(LogProbRequest Completion, bool Desirable, double Reference, LogProbRequest KlCompletion, double KlReference)
{
    /// <summary>Prompt and completion tokens of both sequences a step forwards for this example.</summary>
    public int Tokens => Completion.PromptIds.Count + Completion.CompletionIds.Count + KlCompletion.PromptIds.Count + KlCompletion.CompletionIds.Count;
}
