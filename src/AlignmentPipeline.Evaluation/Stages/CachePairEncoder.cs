using AlignmentPipeline.Core;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.ReferenceCache;
using AlignmentPipeline.Modeling.Templates;
using AlignmentPipeline.Modeling.Tokenization;

namespace AlignmentPipeline.Evaluation.Stages;

/// <summary>
/// Tokenizes a pair exactly as the <c>ref-logprobs</c> stage that produced a cache did, from the settings in its
/// <see cref="ReferenceCacheKey"/>: template, BOS/EOS rules, <c>max_length</c> and truncation. The Modeling project keeps
/// its own pair tokenizer internal, so this restates its rule; <see cref="Encode"/> checks the result against the
/// token counts the cache recorded, so a drift between the two fails loudly instead of skewing rewards.
/// </summary>
internal sealed class CachePairEncoder
{
    private readonly PromptCompletionEncoder encoder;
    private readonly IChatTemplate template;
    private readonly int maxLength;
    private readonly bool keepEnd;

    public CachePairEncoder(ITokenizer tokenizer, ReferenceCacheKey key)
    {
        if (tokenizer.ContentHash != key.TokenizerHash)
        {
            throw new UserErrorException(
                $"the policy's tokenizer (hash {tokenizer.ContentHash[..12]}…) is not the one the reference cache used ({key.TokenizerHash[..12]}…); " +
                "set 'judge.tokenizer' to the cache's tokenizer");
        }

        encoder = new PromptCompletionEncoder(tokenizer, new SpecialTokenRules(key.AddBos, key.AddEos));
        template = ChatTemplates.BuiltIn(key.Template);
        maxLength = key.MaxLength;
        keepEnd = key.Truncation == "keep_end";
    }

    /// <summary>The chosen and rejected requests of a cached pair.</summary>
    /// <exception cref="UserErrorException">The token counts differ from the cached ones.</exception>
    public (LogProbRequest Chosen, LogProbRequest Rejected) Encode(CachedPair cached)
    {
        var pair = cached.Pair;
        var (prompt, chosen) = PairText.RenderCompletion(template, pair, pair.Chosen);
        var (_, rejected) = PairText.RenderCompletion(template, pair, pair.Rejected);
        var c = encoder.Encode(prompt, chosen);
        var r = encoder.Encode(prompt, rejected);
        var encoded = keepEnd
            ? (new LogProbRequest(KeepEnd(c.PromptIds, maxLength - c.CompletionIds.Count), c.CompletionIds),
               new LogProbRequest(KeepEnd(r.PromptIds, maxLength - r.CompletionIds.Count), r.CompletionIds))
            : (new LogProbRequest(c.PromptIds, Take(c.CompletionIds, maxLength - c.PromptIds.Count)),
               new LogProbRequest(c.PromptIds, Take(r.CompletionIds, maxLength - c.PromptIds.Count)));
        if (encoded.Item1.CompletionIds.Count != cached.ChosenTokens || encoded.Item2.CompletionIds.Count != cached.RejectedTokens)
        {
            throw new UserErrorException(
                $"pair '{pair.Id}' tokenizes to {encoded.Item1.CompletionIds.Count}/{encoded.Item2.CompletionIds.Count} chosen/rejected tokens, " +
                $"but the reference cache scored {cached.ChosenTokens}/{cached.RejectedTokens}; the cache was built with another tokenization rule");
        }

        return encoded;
    }

    private static IReadOnlyList<int> Take(IReadOnlyList<int> ids, int count) => ids.Count <= count ? ids : [.. ids.Take(count)];

    /// <summary>The last <paramref name="count"/> ids, keeping a leading BOS in front when the start is cut.</summary>
    private IReadOnlyList<int> KeepEnd(IReadOnlyList<int> ids, int count)
    {
        if (ids.Count <= count)
        {
            return ids;
        }

        return encoder.Tokenizer.BosId is { } bos && ids[0] == bos && count > 1 ? [bos, .. ids.Skip(ids.Count - count + 1)] : [.. ids.Skip(ids.Count - count)];
    }
}
