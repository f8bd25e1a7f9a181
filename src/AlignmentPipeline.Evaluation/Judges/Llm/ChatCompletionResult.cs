namespace AlignmentPipeline.Evaluation.Judges.Llm;

/// <summary>What one chat completion produced.</summary>
/// <param name="Content">The reply text (or the refusal text); null when nothing usable arrived.</param>
/// <param name="InvalidReason">Why the reply cannot give a verdict; null when <paramref name="Content"/> should be parsed.</param>
/// <param name="IsJudgeAnswer">True when the model itself answered (a reply or a refusal) and the result may be cached;
/// false for transport failures and malformed bodies, which a rerun should try again.</param>
internal sealed record ChatCompletionResult(string? Content, string? InvalidReason, bool IsJudgeAnswer);
