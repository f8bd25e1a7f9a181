namespace AlignmentPipeline.Modeling.LogProbs;

/// <summary>One sequence to score: the completion's tokens are scored given the prompt.</summary>
/// <param name="PromptIds">Context tokens, at least one (usually starting with BOS).</param>
/// <param name="CompletionIds">Tokens whose log-probabilities are summed (may be empty: sum 0).</param>
public sealed record LogProbRequest(IReadOnlyList<int> PromptIds, IReadOnlyList<int> CompletionIds);
