using AlignmentPipeline.Core;
using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.ReferenceCache;
using AlignmentPipeline.Modeling.Tokenization;

namespace AlignmentPipeline.Evaluation.Stages;

/// <summary>
/// Tokenizes a pair exactly as the <c>ref-logprobs</c> stage that produced a cache did, through the stage's own
/// <see cref="PairTokenizer"/> built from the settings in its <see cref="ReferenceCacheKey"/> (template, BOS/EOS
/// rules, <c>max_length</c>, truncation). <see cref="Encode"/> still checks the result against the token counts the
/// cache recorded, so a cache written by an older rule fails loudly instead of skewing rewards.
/// </summary>
internal sealed class CachePairEncoder
{
    private readonly PairTokenizer tokenizer;

    public CachePairEncoder(ITokenizer tokenizer, ReferenceCacheKey key)
    {
        if (tokenizer.ContentHash != key.TokenizerHash)
        {
            throw new UserErrorException(
                $"the policy's tokenizer (hash {tokenizer.ContentHash[..12]}…) is not the one the reference cache used ({key.TokenizerHash[..12]}…); " +
                "set 'judge.tokenizer' to the cache's tokenizer");
        }

        this.tokenizer = PairTokenizer.ForCache(tokenizer, key);
    }

    /// <summary>The chosen and rejected requests of a cached pair.</summary>
    /// <exception cref="UserErrorException">The pair no longer tokenizes to the cached token counts, or not at all.</exception>
    public (LogProbRequest Chosen, LogProbRequest Rejected) Encode(CachedPair cached)
    {
        var pair = cached.Pair;
        (LogProbRequest Chosen, LogProbRequest Rejected) encoded;
        try
        {
            encoded = tokenizer.EncodeRequests(pair);
        }
        catch (FormatException e)
        {
            throw new UserErrorException($"{e.Message}, but the reference cache scored it; the cache was built with another tokenization rule");
        }

        if (encoded.Chosen.CompletionIds.Count != cached.ChosenTokens || encoded.Rejected.CompletionIds.Count != cached.RejectedTokens)
        {
            throw new UserErrorException(
                $"pair '{pair.Id}' tokenizes to {encoded.Chosen.CompletionIds.Count}/{encoded.Rejected.CompletionIds.Count} chosen/rejected tokens, " +
                $"but the reference cache scored {cached.ChosenTokens}/{cached.RejectedTokens}; the cache was built with another tokenization rule");
        }

        return encoded;
    }
}
