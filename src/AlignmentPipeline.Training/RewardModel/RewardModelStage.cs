using System.Text.Json;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.Stages;
using AlignmentPipeline.Modeling.Tokenization;
using AlignmentPipeline.Training.Lora;
using AlignmentPipeline.Training.Metrics;
using AlignmentPipeline.Training.Stages;
using AlignmentPipeline.Training.Trainers;
using TorchSharp;

namespace AlignmentPipeline.Training.RewardModel;

/// <summary>
/// <c>kind: reward-model</c>: trains a Bradley–Terry reward model, the <c>init</c> model with a scalar head
/// (<see cref="ScalarRewardModel"/>), on the <c>train/</c> pairs of its input (any stage of preference pairs, a
/// reference cache included) and reports accuracy on its <c>eval/</c> pairs and any <c>eval_fraction</c> of train/. One task on CPU, deterministic for a fixed
/// seed and thread count, resumable from <c>checkpoints/</c>. Publishes <c>model/</c> (backbone + <c>score.weight</c>,
/// loadable with <see cref="ScalarRewardModel.Load"/>), <c>metrics.jsonl</c> and <c>plots/</c>.
/// </summary>
public sealed class RewardModelStage(RewardModelOptions options) : IStage
{
    public static StageKind Kind { get; } = StageKind.Define<RewardModelOptions>(
        "reward-model", 1, "Bradley–Terry reward model (a scalar head on the init model) trained on preference pairs; publishes model/.",
        InputArity.One, o => new RewardModelStage(o));

    public int TaskCount(IReadOnlyList<StageOutput> inputs) => 1;

    public async Task<TaskResult> RunTaskAsync(TaskContext context, CancellationToken cancellationToken = default)
    {
        var stage = context.Stage;
        var input = stage.Inputs[0];
        var setup = await TrainerSetup.ResolveAsync(stage, options, options.Init, options.Tokenizer, cancellationToken);
        var trainPairs = await TrainingPairs.ReadAsync(stage.Storage, input, TrainingPairs.Train, cancellationToken);
        var evalPairs = await TrainingPairs.ReadAsync(stage.Storage, input, TrainingPairs.Eval, cancellationToken);

        torch.manual_seed(options.Seed);
        using var model = new ScalarRewardModel(setup.LoadInit());
        setup.CheckModel(stage, model);

        var maxLength = Math.Min(options.MaxLength, model.Config.MaxSequenceLength);
        var dropped = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var heldOut = trainPairs.Where(p => HeldOutSplit.Contains(options.Seed, options.EvalFraction, p.Id)).ToHashSet();
        var train = Encode(trainPairs.Where(p => !heldOut.Contains(p)), setup.Tokenizer.Encoder, maxLength, dropped);
        var eval = Encode([.. trainPairs.Where(heldOut.Contains), .. evalPairs], setup.Tokenizer.Encoder, maxLength, dropped);
        if (train.Count == 0)
        {
            throw new UserErrorException($"{stage.StageName}: no training pair is left of {trainPairs.Count} (dropped: " +
                                         $"{string.Join(", ", dropped.Select(d => $"{d.Key} {d.Value}"))}); raise max_length or check the input");
        }

        if (eval.Count == 0)
        {
            stage.Log.Warn($"{stage.StageName}: no held-out pairs, so no held-out accuracy is reported; set eval_fraction or put a split stage before the input");
        }

        using var adapters = options.Lora is null ? null : LoraAdapters.Attach(model, options.Lora);
        if (adapters is not null)
        {
            model.ScoreWeight.requires_grad = true; // the new head trains in full (PEFT's modules_to_save = ["score"])
            stage.Log.Info($"{stage.StageName}: LoRA rank {options.Lora!.Rank}, α {options.Lora.Alpha} on {adapters.Targets.Count} projections " +
                           $"({adapters.TrainableParameterCount} adapter parameters) and the score head; the backbone's weights are frozen");
        }

        var metricsFile = TrainingOutputs.MetricsFile(stage);
        var trainer = new RewardModelTrainer(model, options.Loop, options.CenterRewardsCoefficient, eval);
        var result = await new TrainingLoop<RewardPair>(stage, model, options.Loop, metricsFile).RunAsync(train, trainer, cancellationToken);
        adapters?.Merge();
        await TrainingOutputs.PublishAsync(stage, model, setup.Tokenizer, metricsFile,
        [
            (MetricNames.Loss, "Reward model loss (Bradley–Terry)"),
            (RewardMetrics.Accuracy, "Reward accuracy (r_chosen > r_rejected)"),
            (RewardMetrics.Margin, "Reward margin (r_chosen − r_rejected)"),
            ("eval_" + RewardMetrics.Accuracy, "Held-out reward accuracy"),
        ], cancellationToken);

        var extra = new JsonObject
        {
            ["train_pairs"] = train.Count,
            ["eval_pairs"] = eval.Count,
            ["steps"] = options.Loop.TotalSteps(train.Count),
            ["first_step_loss"] = result.FirstStepLoss,
            ["final_loss"] = double.IsFinite(result.FinalLoss) ? result.FinalLoss : null,
            ["eval"] = new JsonObject(result.Eval.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value))),
        };
        var read = trainPairs.Count + evalPairs.Count;
        return new TaskResult(new StageCounters(read, train.Count + eval.Count, dropped), extra);
    }

    public Task<StageSummary> FinalizeAsync(StageContext context, IReadOnlyList<TaskResult> tasks, CancellationToken cancellationToken = default) =>
        TrainingOutputs.SummaryAsync(tasks);

    /// <summary>
    /// Prompt + response ids of both sides of each text pair (the encoder's rule, as every trainer uses), with the
    /// pair's margin; pairs whose longer side exceeds <paramref name="maxLength"/> are counted in <paramref name="dropped"/>.
    /// </summary>
    private List<RewardPair> Encode(IEnumerable<PreferencePair> pairs, PromptCompletionEncoder encoder, int maxLength, SortedDictionary<string, long> dropped)
    {
        var encoded = new List<RewardPair>();
        foreach (var pair in pairs)
        {
            if (pair.Format != PreferencePair.TextFormat)
            {
                throw new UserErrorException($"pair '{pair.Id}' ({pair.Source}) is in '{pair.Format}' format; reward-model trains on text pairs only for now");
            }

            RewardPair example = new(
                ScalarRewardModel.Sequence(encoder, pair.Prompt, pair.Chosen), ScalarRewardModel.Sequence(encoder, pair.Prompt, pair.Rejected), Margin(pair));
            if (Math.Max(example.Chosen.Count, example.Rejected.Count) > maxLength)
            {
                dropped["too_long"] = dropped.GetValueOrDefault("too_long") + 1;
                continue;
            }

            encoded.Add(example);
        }

        return encoded;
    }

    /// <summary>The pair's margin from its metadata field <c>margin_key</c>, or 0 without that option.</summary>
    private double Margin(PreferencePair pair)
    {
        if (options.MarginKey is not { } key)
        {
            return 0;
        }

        JsonNode? value = null;
        try
        {
            value = pair.Metadata is null ? null : JsonNode.Parse(pair.Metadata)?[key];
        }
        catch (JsonException)
        {
            // Reported below as a missing margin.
        }

        return value is JsonValue number && number.TryGetValue<double>(out var margin) && double.IsFinite(margin)
            ? margin
            : throw new UserErrorException($"pair '{pair.Id}' ({pair.Source}) has no numeric metadata field '{key}' " +
                                           $"(metadata: {pair.Metadata ?? "none"}); give every pair a margin or remove margin_key");
    }
}
