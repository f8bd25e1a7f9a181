using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Modeling.Stages;
using AlignmentPipeline.Modeling.Tokenization;
using AlignmentPipeline.Training.Lora;
using AlignmentPipeline.Training.Metrics;
using AlignmentPipeline.Training.Trainers;
using TorchSharp;

namespace AlignmentPipeline.Training.Stages;

/// <summary>
/// <c>kind: sft</c>: supervised fine-tuning of a model (from <c>init</c> or <c>from_scratch</c>) on the prompt →
/// completion pairs of its input, loss on completion tokens only, optionally packed and with LoRA adapters. One task on
/// the configured device, deterministic on CPU for a fixed seed and thread count, resumable from <c>checkpoints/</c>.
/// Publishes <c>model/</c> (adapters merged in), <c>metrics.jsonl</c> and <c>plots/</c>.
/// </summary>
public sealed class SftStage(SftOptions options) : IStage
{
    public static StageKind Kind { get; } = StageKind.Define<SftOptions>(
        "sft", 1, "Supervised fine-tuning on prompt → completion pairs (from a model or from scratch); publishes model/.",
        InputArity.One, o => new SftStage(o));

    public int TaskCount(IReadOnlyList<StageOutput> inputs) => 1;

    public async Task<TaskResult> RunTaskAsync(TaskContext context, CancellationToken cancellationToken = default)
    {
        var stage = context.Stage;
        var setup = await TrainerSetup.ResolveAsync(stage, options, options.Init, options.Tokenizer, cancellationToken);
        var pairs = await TrainingPairs.ReadAsync(stage.Storage, stage.Inputs[0], TrainingPairs.Train, cancellationToken);

        torch.manual_seed(options.Seed);
        using var model = setup.InitPath is null
            ? FromScratch(options.FromScratch!.ToConfig(setup.Tokenizer.Loaded.Tokenizer.VocabSize), setup.Runtime)
            : setup.LoadInit();
        setup.CheckModel(stage, model);

        var maxLength = Math.Min(options.MaxLength, model.Config.MaxSequenceLength);
        var (examples, dropped, trainedOn) = Examples(pairs, setup.Tokenizer.Encoder, maxLength);
        if (examples.Count == 0)
        {
            throw new UserErrorException($"{stage.StageName}: no training example is left of {pairs.Count} pairs (dropped: " +
                                         $"{string.Join(", ", dropped.Select(d => $"{d.Key} {d.Value}"))}); raise max_length or check the input");
        }

        var metricsFile = TrainingOutputs.MetricsFile(stage);
        using var adapters = LoraAdapters.AttachLogged(model, options.Lora, stage);

        var trainer = new SftTrainer(model, options.Loop, options.Packing ? maxLength : 0);
        var finalLoss = (await new TrainingLoop<LogProbRequest>(stage, model, options.Loop, metricsFile).RunAsync(examples, trainer, cancellationToken)).FinalLoss;
        adapters?.Merge();
        await TrainingOutputs.PublishAsync(stage, model, setup.Tokenizer, metricsFile,
            [(MetricNames.Loss, "SFT loss (mean NLL per completion token)"), (MetricNames.LearningRate, "Learning rate")], cancellationToken);
        var extra = new JsonObject
        {
            ["examples"] = examples.Count,
            ["steps"] = options.Loop.TotalSteps(examples.Count),
            ["final_loss"] = double.IsFinite(finalLoss) ? finalLoss : null,
            ["completion_tokens"] = examples.Sum(e => (long)e.CompletionIds.Count),
            ["trained_on_chosen"] = trainedOn.GetValueOrDefault(nameof(PreferencePair.Chosen)),
            ["trained_on_rejected"] = trainedOn.GetValueOrDefault(nameof(PreferencePair.Rejected)),
        };
        return new TaskResult(new StageCounters(pairs.Count, examples.Count, dropped), extra);
    }

    public Task<StageSummary> FinalizeAsync(StageContext context, IReadOnlyList<TaskResult> tasks, CancellationToken cancellationToken = default) =>
        TrainingOutputs.SummaryAsync(tasks);

    /// <summary>A fresh model on the runtime's device and dtype; its weights draw from torch's generator (seed it first).</summary>
    private static LlamaModel FromScratch(LlamaConfig config, ModelRuntimeOptions runtime)
    {
        var model = new LlamaModel(config);
        model.to(runtime.ResolveDevice(), runtime.ResolveDType());
        return model;
    }

    /// <summary>
    /// Prompt/completion ids per the completion choice; pairs that do not fit or have nothing to learn are counted by
    /// reason. Also counts the examples kept from chosen and from rejected responses (the balance of <c>random</c>).
    /// </summary>
    private (List<LogProbRequest> Examples, SortedDictionary<string, long> Dropped, Dictionary<string, long> TrainedOn) Examples(
        IEnumerable<PreferencePair> pairs, PromptCompletionEncoder encoder, int maxLength)
    {
        var examples = new List<LogProbRequest>();
        var dropped = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var trainedOn = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            if (pair.Format != PreferencePair.TextFormat)
            {
                throw new UserErrorException($"pair '{pair.Id}' ({pair.Source}) is in '{pair.Format}' format; sft trains on text pairs only for now");
            }

            foreach (var (side, completion) in Completions(pair))
            {
                var ids = encoder.Encode(pair.Prompt, completion);
                var reason = ids.PromptIds.Count == 0 ? "empty_prompt"
                    : ids.CompletionIds.Count == 0 ? "empty_completion"
                    : ids.PromptIds.Count + ids.CompletionIds.Count > maxLength ? "too_long"
                    : null;
                if (reason is null)
                {
                    examples.Add(new LogProbRequest(ids.PromptIds, ids.CompletionIds));
                    trainedOn[side] = trainedOn.GetValueOrDefault(side) + 1;
                }
                else
                {
                    dropped[reason] = dropped.GetValueOrDefault(reason) + 1;
                }
            }
        }

        return (examples, dropped, trainedOn);
    }

    /// <summary>The responses to train on, each with its side (<c>Chosen</c> or <c>Rejected</c>).</summary>
    private IEnumerable<(string Side, string Text)> Completions(PreferencePair pair)
    {
        (string, string) chosen = (nameof(PreferencePair.Chosen), pair.Chosen), rejected = (nameof(PreferencePair.Rejected), pair.Rejected);
        return options.Completion switch
        {
            CompletionChoice.Chosen => [chosen],
            CompletionChoice.Rejected => [rejected],
            CompletionChoice.Both => [chosen, rejected],
            _ => [PicksChosen(pair.Id) ? chosen : rejected],
        };
    }

    /// <summary>The seeded per-pair coin of <see cref="CompletionChoice.Random"/>: the low bit of SHA-256("seed:id").</summary>
    private bool PicksChosen(string id) => (SHA256.HashData(Encoding.UTF8.GetBytes($"{options.Seed}:{id}"))[0] & 1) == 0;
}
