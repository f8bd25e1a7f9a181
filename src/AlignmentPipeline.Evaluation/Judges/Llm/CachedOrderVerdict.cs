namespace AlignmentPipeline.Evaluation.Judges.Llm;

/// <summary>The judge's answer for one presentation order, as stored in the cache.</summary>
/// <param name="Verdict">Parsed verdict; null when the answer was unusable.</param>
/// <param name="InvalidReason">Why the answer is unusable (refusal, unparsable_verdict); null when valid.</param>
/// <param name="Reply">The reply text (or refusal text) as received.</param>
internal sealed record CachedOrderVerdict(OrderVerdict? Verdict, string? InvalidReason, string Reply);
