using System.Text.Json.Nodes;
using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.ReferenceCache;
using AlignmentPipeline.Modeling.Stages;
using AlignmentPipeline.Modeling.Tokenization;
using AlignmentPipeline.Training.Lora;
using AlignmentPipeline.Training.Losses;
using AlignmentPipeline.Training.Metrics;
using AlignmentPipeline.Training.Trainers;
using TorchSharp;

namespace AlignmentPipeline.Training.Stages;

/// <summary>
/// <c>kind: dpo</c>: DPO-family preference optimisation. The input is a <c>ref-logprobs</c> stage: pairs plus the
/// reference log-probs cached for them. The reference model is never loaded (its files are hashed and must match the
/// cache's key) unless <c>live_reference</c> is set; reference-free losses (simpo, orpo) read a plain pairs stage.
/// Publishes <c>model/</c>, <c>metrics.jsonl</c> (TRL names) and <c>plots/</c>; resumable from <c>checkpoints/</c>.
/// </summary>
public sealed class DpoStage(DpoOptions options) : IStage
{
    public static StageKind Kind { get; } = StageKind.Define<DpoOptions>(
        "dpo", 2, "DPO-family preference training against cached reference log-probs; publishes model/.",
        InputArity.One, o => new DpoStage(o));

    public int TaskCount(IReadOnlyList<StageOutput> inputs) => 1;

    public async Task<TaskResult> RunTaskAsync(TaskContext context, CancellationToken cancellationToken = default)
    {
        var stage = context.Stage;
        var input = stage.Inputs[0];
        var lossOptions = options.Loss.ToLossOptions();
        var setup = await TrainerSetup.ResolveAsync(stage, options, options.Init, options.Tokenizer, cancellationToken);
        var reference = lossOptions.RequiresReference ? await DeclaredReference.ResolveAsync(stage, options, setup.InitPath!, cancellationToken) : null;
        var fromCache = reference is not null && !options.LiveReference;
        if (reference is null && input.Metadata["cache_key"] is not null)
        {
            throw new UserErrorException(
                $"loss {string.Join("+", options.Loss.Type)} is reference-free but input '{input.StageName}' is a reference log-prob cache; " +
                "use the pairs stage the cache was computed from as input instead");
        }

        var cacheKey = fromCache ? reference!.RequireCache(stage, input, setup.Tokenizer, options, "reference log-probs") : null;
        List<(PreferencePair Pair, CachedPair? Cached)> pairs, heldOutPairs;
        if (fromCache)
        {
            var (cachedTrain, cachedEval) = await TrainingPairs.ReadCacheAsync(stage, input, cancellationToken);
            (pairs, heldOutPairs) = (Rows(cachedTrain), Rows(cachedEval));
        }
        else
        {
            pairs = Rows(await TrainingPairs.ReadAsync(stage.Storage, input, TrainingPairs.Train, cancellationToken));
            heldOutPairs = Rows(await TrainingPairs.ReadAsync(stage.Storage, input, TrainingPairs.Eval, cancellationToken));
        }

        using var policy = setup.LoadInit();
        using var liveReference = reference is not null && options.LiveReference ? ModelLoader.Load(reference.Path, setup.Runtime).Model : null;
        setup.CheckModel(stage, policy);
        var maxLength = TrainerCacheKey.TrainingLength(options, policy.Config.MaxSequenceLength, cacheKey);
        var (train, eval, dropped) = Examples(pairs, setup.Tokenizer.Encoder, maxLength, fromCache);
        if (heldOutPairs.Count > 0)
        {
            // The input's eval/ split is held out whole, in addition to any eval_fraction of its train/ split.
            var (heldOutA, heldOutB, droppedHeldOut) = Examples(heldOutPairs, setup.Tokenizer.Encoder, maxLength, fromCache);
            eval = [.. eval, .. heldOutA, .. heldOutB];
            foreach (var (reason, count) in droppedHeldOut)
            {
                dropped[reason] = dropped.GetValueOrDefault(reason) + count;
            }

            pairs = [.. pairs, .. heldOutPairs];
        }
        if (train.Count == 0)
        {
            throw new UserErrorException($"{stage.StageName}: no training pair is left of {pairs.Count} (held out {eval.Count}, dropped: " +
                                         $"{string.Join(", ", dropped.Select(d => $"{d.Key} {d.Value}"))}); raise max_length or lower eval_fraction");
        }

        var metricsFile = TrainingOutputs.MetricsFile(stage);
        torch.manual_seed(options.Seed);
        using var adapters = LoraAdapters.AttachLogged(policy, options.Lora, stage);

        var trainer = new DpoTrainer(stage, policy, liveReference, PreferenceLossRegistry.Create(lossOptions), options.Loop, eval, sanityCheck: reference?.IsInit ?? false);
        var result = await new TrainingLoop<DpoExample>(stage, policy, options.Loop, metricsFile).RunAsync(train, trainer, cancellationToken);
        adapters?.Merge();
        await TrainingOutputs.PublishAsync(stage, policy, setup.Tokenizer, metricsFile,
        [
            (MetricNames.Loss, "DPO loss"),
            (MetricNames.RewardsMargins, "Reward margin (chosen − rejected)"),
            (MetricNames.RewardsAccuracies, "Reward accuracy"),
            ("eval_" + MetricNames.RewardsAccuracies, "Held-out reward accuracy"),
        ], cancellationToken);

        var extra = new JsonObject
        {
            ["train_pairs"] = train.Count,
            ["eval_pairs"] = eval.Count,
            ["steps"] = options.Loop.TotalSteps(train.Count),
            ["first_step_loss"] = result.FirstStepLoss,
            ["first_step_margin"] = result.FirstStep.GetValueOrDefault(MetricNames.RewardsMargins, double.NaN),
            ["final_loss"] = double.IsFinite(result.FinalLoss) ? result.FinalLoss : null,
            ["eval"] = new JsonObject(result.Eval.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value))),
        };
        return new TaskResult(new StageCounters(pairs.Count, train.Count + eval.Count, dropped), extra);
    }

    public Task<StageSummary> FinalizeAsync(StageContext context, IReadOnlyList<TaskResult> tasks, CancellationToken cancellationToken = default) =>
        TrainingOutputs.SummaryAsync(tasks);

    /// <summary>Cache rows as pairs with their reference values.</summary>
    private static List<(PreferencePair Pair, CachedPair? Cached)> Rows(IEnumerable<CachedPair> rows) => [.. rows.Select(r => (r.Pair, (CachedPair?)r))];

    /// <summary>Pairs of a plain pairs input, without reference values.</summary>
    private static List<(PreferencePair Pair, CachedPair? Cached)> Rows(IEnumerable<PreferencePair> pairs) => [.. pairs.Select(p => (p, (CachedPair?)null))];

    /// <summary>
    /// Encodes every pair with the same rule as the cache, drops pairs that do not fit (a cache may hold truncated values
    /// for them), checks the completion token counts of the others against the cache's and splits off the held-out pairs.
    /// </summary>
    private (List<DpoExample> Train, List<DpoExample> Eval, SortedDictionary<string, long> Dropped) Examples(
        IEnumerable<(PreferencePair Pair, CachedPair? Cached)> pairs, PromptCompletionEncoder encoder, int maxLength, bool fromCache)
    {
        var (train, eval) = (new List<DpoExample>(), new List<DpoExample>());
        var dropped = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (pair, cached) in pairs)
        {
            if (pair.Format != PreferencePair.TextFormat)
            {
                throw new UserErrorException($"pair '{pair.Id}' ({pair.Source}) is in '{pair.Format}' format; dpo trains on text pairs only for now");
            }

            var chosen = encoder.Encode(pair.Prompt, pair.Chosen);
            var rejected = encoder.Encode(pair.Prompt, pair.Rejected);
            var longest = Math.Max(chosen.PromptIds.Count + chosen.CompletionIds.Count, rejected.PromptIds.Count + rejected.CompletionIds.Count);
            if (longest > maxLength)
            {
                dropped["too_long"] = dropped.GetValueOrDefault("too_long") + 1;
                continue;
            }

            if (fromCache && (chosen.CompletionIds.Count != cached!.ChosenTokens || rejected.CompletionIds.Count != cached.RejectedTokens))
            {
                throw new UserErrorException(
                    $"pair '{pair.Id}' ({pair.Source}): the tokenizer gives {chosen.CompletionIds.Count}/{rejected.CompletionIds.Count} chosen/rejected " +
                    $"completion tokens but the cache scored {cached.ChosenTokens}/{cached.RejectedTokens}; use the tokenizer and settings the cache used");
            }

            var example = new DpoExample(new LogProbRequest(chosen.PromptIds, chosen.CompletionIds), new LogProbRequest(rejected.PromptIds, rejected.CompletionIds), cached);
            (HeldOutSplit.Contains(options.Seed, options.EvalFraction, pair.Id) ? eval : train).Add(example);
        }

        return (train, eval, dropped);
    }
}
