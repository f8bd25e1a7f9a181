namespace AlignmentPipeline.Modeling.Tokenization;

/// <summary>Whether a sequence starts with BOS and ends with EOS. Part of every cache key.</summary>
/// <param name="AddBos">Prepend BOS to the prompt (never twice: an existing leading BOS is kept as is).</param>
/// <param name="AddEos">Append EOS after a completion (never twice).</param>
public sealed record SpecialTokenRules(bool AddBos = true, bool AddEos = true);
