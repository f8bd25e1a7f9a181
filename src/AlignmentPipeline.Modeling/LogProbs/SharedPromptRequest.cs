namespace AlignmentPipeline.Modeling.LogProbs;

/// <summary>Several completions scored against one prompt that runs once (see <see cref="CompletionLogProbs.ComputeSharedPrompt"/>).</summary>
/// <param name="PromptIds">Context tokens, at least one (usually starting with BOS).</param>
/// <param name="Completions">Token ids of each completion (at least one completion; each may be empty: sum 0).</param>
public sealed record SharedPromptRequest(IReadOnlyList<int> PromptIds, IReadOnlyList<IReadOnlyList<int>> Completions)
{
    /// <summary>Positions of the packed row: the prompt plus every completion.</summary>
    public int PackedLength => PromptIds.Count + Completions.Sum(c => c.Count);
}
