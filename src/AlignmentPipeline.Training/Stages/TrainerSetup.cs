using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Modeling.Stages;
using AlignmentPipeline.Training.Trainers;

namespace AlignmentPipeline.Training.Stages;

/// <summary>
/// What every trainer stage (sft, dpo, kto, reward-model) resolves before it reads data, the same way: the runtime
/// (checked on this machine before any model loads, its thread count applied), the init model's local path (a stage's
/// <c>model/</c> or a path) and the tokenizer (named, or the init model's own).
/// </summary>
/// <param name="Runtime">Device, dtype and threads.</param>
/// <param name="InitPath">The starting model's local path; null for sft from_scratch.</param>
/// <param name="Tokenizer">The tokenizer and the files the published model carries.</param>
internal sealed record TrainerSetup(ModelRuntimeOptions Runtime, string? InitPath, TokenizerSource Tokenizer)
{
    /// <summary>Resolves <paramref name="options"/>' runtime, <paramref name="init"/> and <paramref name="tokenizer"/> for <paramref name="stage"/>.</summary>
    /// <exception cref="UserErrorException">The device or dtype is unusable here, or there is no tokenizer.</exception>
    public static async Task<TrainerSetup> ResolveAsync(
        StageContext stage, TrainerOptions options, string? init, string? tokenizer, CancellationToken cancellationToken = default)
    {
        var runtime = options.CheckedRuntime(stage.StageName);
        runtime.ApplyThreads();
        var initPath = init is null ? null : await ModelArtifacts.ResolveAsync(stage, init, cancellationToken);
        return new TrainerSetup(runtime, initPath, TokenizerSource.Resolve(tokenizer, initPath));
    }

    /// <summary>Loads the init model on the runtime's device and dtype.</summary>
    public ICausalLanguageModel LoadInit() =>
        ModelLoader.Load(InitPath ?? throw new InvalidOperationException("this stage has no init model"), Runtime).Model;

    /// <summary>
    /// Checks that the tokenizer's ids fit <paramref name="model"/>'s vocabulary and logs where training runs.
    /// </summary>
    /// <exception cref="UserErrorException">The tokenizer has more ids than the model.</exception>
    public void CheckModel(StageContext stage, ICausalLanguageModel model)
    {
        var vocabulary = Tokenizer.Loaded.Tokenizer.VocabSize;
        if (vocabulary > model.Config.VocabSize)
        {
            throw new UserErrorException($"the tokenizer has {vocabulary} ids but the model only {model.Config.VocabSize}; use the model's own tokenizer");
        }

        stage.Log.Info($"{stage.StageName}: training on {model.Device} in {model.DType}");
    }
}
