using AlignmentPipeline.Modeling.LogProbs;

namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>A pair's token ids after the template, the BOS/EOS rules and truncation.</summary>
/// <param name="PromptIds">Prompt ids shared by both completions (at least one token).</param>
/// <param name="ChosenIds">Chosen completion ids.</param>
/// <param name="RejectedIds">Rejected completion ids.</param>
/// <param name="ChosenPromptIds">
/// The prompt ids used for the chosen completion; differs from <paramref name="PromptIds"/> only when keep_end cut the
/// prompt or the tokenizer's prefix rule fell back.
/// </param>
/// <param name="RejectedPromptIds">The prompt ids used for the rejected completion.</param>
/// <param name="PrefixMismatch">The shared encoder fell back for either completion (a merge crossed the prompt boundary).</param>
internal sealed record EncodedPair(
    IReadOnlyList<int> PromptIds,
    IReadOnlyList<int> ChosenIds,
    IReadOnlyList<int> RejectedIds,
    IReadOnlyList<int> ChosenPromptIds,
    IReadOnlyList<int> RejectedPromptIds,
    bool PrefixMismatch)
{
    /// <summary>True when both completions are scored against the same prompt ids (prefix sharing applies).</summary>
    public bool SharesPrompt => ChosenPromptIds.SequenceEqual(PromptIds) && RejectedPromptIds.SequenceEqual(PromptIds);

    /// <summary>The chosen and rejected sequences to score.</summary>
    public (LogProbRequest Chosen, LogProbRequest Rejected) Requests => (new(ChosenPromptIds, ChosenIds), new(RejectedPromptIds, RejectedIds));

    /// <summary>The longer of the two sequences, prompt included.</summary>
    public int LongestSequence => Math.Max(ChosenPromptIds.Count + ChosenIds.Count, RejectedPromptIds.Count + RejectedIds.Count);
}
