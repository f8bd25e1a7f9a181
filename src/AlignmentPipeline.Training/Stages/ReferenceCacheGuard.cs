using System.Text.Json.Nodes;
using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Modeling.Tokenization;
using AlignmentPipeline.Training.Trainers;

namespace AlignmentPipeline.Training.Stages;

/// <summary>
/// Refuses a reference log-prob cache computed with another reference model or tokenizer, before training starts
/// and without loading the reference: the reference's identity is hashed from its files. Reads the cache manifest's
/// <c>cache_key</c> and <c>cache_key_components</c> (<c>weights_hash</c>: the reference files' content hash,
/// <c>tokenizer_hash</c>: the tokenizer's content hash, as the ref-logprobs stage's <c>ReferenceCacheKey</c> names them).
/// The one place to switch to the reference-cache project's own key computation once it is committed.
/// </summary>
internal static class ReferenceCacheGuard
{
    /// <summary>
    /// The cache's key when every recomputed component equals the cache's; otherwise a user error naming the first that
    /// differs. <paramref name="referenceHash"/> is <see cref="ModelFiles.ContentHash"/> of the reference's files.
    /// </summary>
    public static string Check(StageOutput cache, string referenceOption, string referenceHash, ITokenizer tokenizer)
    {
        var key = cache.Metadata["cache_key"]?.GetValue<string>()
            ?? throw new UserErrorException(
                $"input stage '{cache.StageName}' ({cache.Kind}) records no cache_key in its manifest: it is not a reference log-prob " +
                "cache. Make the input a ref-logprobs stage, or set live_reference: true");
        if (cache.Metadata["cache_key_components"] is not JsonObject recorded)
        {
            throw new UserErrorException($"the cache of '{cache.StageName}' records no cache_key_components; recompute it with the current ref-logprobs stage");
        }

        var components = new Dictionary<string, string> { ["weights_hash"] = referenceHash, ["tokenizer_hash"] = tokenizer.ContentHash };
        foreach (var (name, value) in components)
        {
            var cached = recorded[name]?.ToString();
            if (cached is null)
            {
                throw new UserErrorException($"the cache of '{cache.StageName}' records no '{name}' key component; recompute it with the current ref-logprobs stage");
            }

            if (cached != value)
            {
                throw new UserErrorException(
                    $"reference '{referenceOption}' does not match the cache of '{cache.StageName}' (key {key}): component '{name}' is " +
                    $"{value} for the reference but {cached} in the cache. Point 'reference' (default: init) at the model and tokenizer " +
                    "the cache was computed with, or recompute the cache for this reference");
            }
        }

        return key;
    }
}
