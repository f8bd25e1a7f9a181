namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>What <see cref="CacheVerifier"/> found.</summary>
/// <param name="Rows">Cached rows checked for NaN/Inf, positive log-probs and ids.</param>
/// <param name="Sampled">Rows recomputed live.</param>
/// <param name="MaxAbsDifference">Largest |cached − live| over the sampled log-prob sums (0 when nothing was sampled).</param>
/// <param name="Problems">Every problem found, one sentence each; empty when the cache is sound.</param>
public sealed record CacheVerification(long Rows, int Sampled, double MaxAbsDifference, IReadOnlyList<string> Problems)
{
    /// <summary>True when no problem was found.</summary>
    public bool Ok => Problems.Count == 0;
}
