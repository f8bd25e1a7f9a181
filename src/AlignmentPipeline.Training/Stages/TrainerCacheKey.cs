using System.Text.Json.Nodes;
using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Modeling.ReferenceCache;
using AlignmentPipeline.Training.Trainers;

namespace AlignmentPipeline.Training.Stages;

/// <summary>
/// The reference-cache key a trainer's declared reference gives, computed from files alone (the reference is never
/// loaded) and checked against a cache's manifest by <see cref="ReferenceCacheGuard"/> before training starts.
/// </summary>
internal static class TrainerCacheKey
{
    /// <summary>
    /// The cache's key when every component that changes a value equals the trainer's: the reference's weights and
    /// config, the trainer's tokenizer and BOS/EOS rules, no chat template, <c>dtype</c>. Otherwise a user error listing
    /// each differing component. The cache's <c>max_length</c> and truncation rule are taken as they are: a trainer
    /// drops every pair longer than the smaller of its own and the cache's <c>max_length</c> (see
    /// <see cref="TrainingLength"/>), so it never uses a truncated value.
    /// </summary>
    public static ReferenceCacheKey Require(StageOutput cache, string referenceOption, string referencePath, TokenizerSource tokenizer, TrainerOptions options)
    {
        if (cache.Metadata[ReferenceCacheKey.ComponentsField] is not JsonObject recorded)
        {
            throw new UserErrorException(
                $"input stage '{cache.StageName}' ({cache.Kind}): it is not a reference log-prob cache (its manifest has no " +
                $"'{ReferenceCacheKey.ComponentsField}'); make the input a ref-logprobs stage, or set live_reference: true");
        }

        var cached = ReferenceCacheKey.FromJson(recorded);
        var rules = tokenizer.Loaded.DefaultRules;
        var expected = new ReferenceCacheKey(
            ReferenceModelFiles.WeightsHash(referencePath),
            ReferenceModelFiles.ConfigJson(referencePath),
            tokenizer.Loaded.Tokenizer.ContentHash,
            Template: "none",
            rules.AddBos,
            rules.AddEos,
            cached.MaxLength,
            cached.Truncation,
            options.Dtype);
        try
        {
            ReferenceCacheGuard.Check(expected, cache.Metadata);
        }
        catch (UserErrorException e)
        {
            throw new UserErrorException($"reference '{referenceOption}' does not match the cache of '{cache.StageName}': {e.Message}", e);
        }

        return cached;
    }

    /// <summary>
    /// The longest prompt + completion a trainer keeps: its <c>max_length</c>, the policy's positions and, with a
    /// cache, the cache's <c>max_length</c> (longer pairs may hold truncated reference values there).
    /// </summary>
    public static int TrainingLength(TrainerOptions options, int policyPositions, ReferenceCacheKey? cache) =>
        Math.Min(Math.Min(options.MaxLength, policyPositions), cache?.MaxLength ?? int.MaxValue);
}
