using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Modeling.ReferenceCache;
using AlignmentPipeline.Modeling.Stages;
using AlignmentPipeline.Training.Trainers;

namespace AlignmentPipeline.Training.Stages;

/// <summary>
/// The reference model a dpo or kto stage declares (<c>reference</c>, else <c>init</c>), resolved to its files but never
/// loaded from them unless dpo's <c>live_reference</c> asks for it.
/// </summary>
/// <param name="Option">The option's value as written (a stage name or a path).</param>
/// <param name="Path">Its local path.</param>
/// <param name="IsInit">Whether it is the policy's starting model (the same path or the same weights), so step 1 must
/// show policy = reference (the trainers' sanity check).</param>
internal sealed record DeclaredReference(string Option, string Path, bool IsInit)
{
    /// <summary>Resolves <c>reference</c> (default: <c>init</c>) and compares it with the init model at <paramref name="initPath"/>.</summary>
    public static async Task<DeclaredReference> ResolveAsync(
        StageContext stage, ReferenceTrainerOptions options, string initPath, CancellationToken cancellationToken = default)
    {
        var option = options.Reference ?? options.Init!;
        var path = await ModelArtifacts.ResolveAsync(stage, option, cancellationToken);
        return new DeclaredReference(option, path, path == initPath || ReferenceModelFiles.WeightsHash(initPath) == ReferenceModelFiles.WeightsHash(path));
    }

    /// <summary>
    /// The key of <paramref name="cache"/> once it matches this reference and the trainer's settings
    /// (<see cref="TrainerCacheKey.Require"/>), logging that <paramref name="values"/> come from it and the model is not loaded.
    /// </summary>
    /// <exception cref="Core.UserErrorException">The input is not a cache, or a component of the key differs.</exception>
    public ReferenceCacheKey RequireCache(StageContext stage, StageOutput cache, TokenizerSource tokenizer, TrainerOptions options, string values)
    {
        var key = TrainerCacheKey.Require(cache, Option, Path, tokenizer, options);
        stage.Log.Info($"{stage.StageName}: {values} come from cache {key.Key}; the reference model is not loaded");
        return key;
    }
}
