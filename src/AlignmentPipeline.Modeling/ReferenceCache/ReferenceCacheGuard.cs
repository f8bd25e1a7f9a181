using System.Text.Json.Nodes;
using AlignmentPipeline.Core;

namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>Refuses a reference cache that was computed for another reference model or tokenization.</summary>
public static class ReferenceCacheGuard
{
    /// <summary>
    /// Checks a cache's manifest metadata against the key a trainer expects.
    /// </summary>
    /// <exception cref="UserErrorException">
    /// The metadata has no cache key, or its key differs; the message names every differing component.
    /// </exception>
    public static void Check(ReferenceCacheKey expected, JsonObject manifestMetadata)
    {
        if (manifestMetadata[ReferenceCacheKey.ComponentsField] is not JsonObject components)
        {
            throw new UserErrorException("the input stage is not a reference log-prob cache (its manifest has no 'cache_key_components'); " +
                                         "point 'input' at a 'ref-logprobs' stage");
        }

        var cached = ReferenceCacheKey.FromJson(components);
        if (cached.Key == expected.Key)
        {
            return;
        }

        throw new UserErrorException(
            $"the reference cache was computed for a different reference; differing components (expected vs cached): " +
            $"{string.Join("; ", expected.Differences(cached))}. " +
            "recompute it with the same model, tokenizer and settings (rerun the ref-logprobs stage) or make the trainer's reference match");
    }
}
