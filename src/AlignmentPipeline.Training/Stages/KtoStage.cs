using System.Text.Json.Nodes;
using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.ReferenceCache;
using AlignmentPipeline.Modeling.Stages;
using AlignmentPipeline.Modeling.Tokenization;
using AlignmentPipeline.Training.Lora;
using AlignmentPipeline.Training.Metrics;
using AlignmentPipeline.Training.Trainers;
using TorchSharp;

namespace AlignmentPipeline.Training.Stages;

/// <summary>
/// <c>kind: kto</c>: KTO (Ethayarajh et al. 2024, as TRL's KTOTrainer) on the pairs of a <c>ref-logprobs</c> input
/// computed with <c>kto_mismatched: true</c>. Each pair becomes two unpaired examples (chosen → desirable, rejected →
/// undesirable); each example's KL completion is its prompt followed by the donor pair's completion of the same label,
/// as the cache scored it. Every reference value comes from the cache: the reference model is never loaded.
/// Publishes <c>model/</c>, <c>metrics.jsonl</c> (TRL names, <c>kl</c> included) and <c>plots/</c>; resumable from <c>checkpoints/</c>.
/// </summary>
public sealed class KtoStage(KtoOptions options) : IStage
{
    public static StageKind Kind { get; } = StageKind.Define<KtoOptions>(
        "kto", 1, "KTO on unpaired desirable/undesirable examples (pairs converted) against cached reference log-probs; publishes model/.",
        InputArity.One, o => new KtoStage(o));

    public int TaskCount(IReadOnlyList<StageOutput> inputs) => 1;

    public async Task<TaskResult> RunTaskAsync(TaskContext context, CancellationToken cancellationToken = default)
    {
        var stage = context.Stage;
        var input = stage.Inputs[0];
        var setup = await TrainerSetup.ResolveAsync(stage, options, options.Init, options.Tokenizer, cancellationToken);
        var reference = await DeclaredReference.ResolveAsync(stage, options, setup.InitPath!, cancellationToken);
        var cacheKey = reference.RequireCache(stage, input, setup.Tokenizer, options, "reference log-probs of completions and mismatched KL completions");

        var (rows, heldOut) = await TrainingPairs.ReadCacheAsync(stage, input, cancellationToken);
        var donors = new Dictionary<string, PreferencePair>(StringComparer.Ordinal);
        foreach (var row in rows.Concat(heldOut))
        {
            donors.TryAdd(row.Pair.Id, row.Pair);
        }

        using var policy = setup.LoadInit();
        setup.CheckModel(stage, policy);
        var maxLength = TrainerCacheKey.TrainingLength(options, policy.Config.MaxSequenceLength, cacheKey);
        var dropped = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var (train, eval) = (new List<KtoExample>(), new List<KtoPairExamples>());
        // The input's eval/ split is held out whole, in addition to any eval_fraction of its train/ split.
        foreach (var (row, isEval) in rows.Select(r => (r, false)).Concat(heldOut.Select(r => (r, true))))
        {
            if (Examples(row, input, donors, setup.Tokenizer.Encoder, maxLength) is not { } examples)
            {
                dropped["too_long"] = dropped.GetValueOrDefault("too_long") + 1;
            }
            else if (isEval || HeldOutSplit.Contains(options.Seed, options.EvalFraction, row.Pair.Id))
            {
                eval.Add(examples);
            }
            else
            {
                train.AddRange([examples.Desirable, examples.Undesirable]);
            }
        }

        if (train.Count == 0)
        {
            throw new UserErrorException($"{stage.StageName}: no training pair is left of {rows.Count + heldOut.Count} (held out {eval.Count}, dropped: " +
                                         $"{string.Join(", ", dropped.Select(d => $"{d.Key} {d.Value}"))}); raise max_length or lower eval_fraction");
        }

        torch.manual_seed(options.Seed);
        using var adapters = LoraAdapters.AttachLogged(policy, options.Lora, stage);

        var metricsFile = TrainingOutputs.MetricsFile(stage);
        var trainer = new KtoTrainer(stage, policy, options.Loss, options.Loop, eval, sanityCheck: reference.IsInit);
        var result = await new TrainingLoop<KtoExample>(stage, policy, options.Loop, metricsFile).RunAsync(train, trainer, cancellationToken);
        adapters?.Merge();
        await TrainingOutputs.PublishAsync(stage, policy, setup.Tokenizer, metricsFile,
        [
            (MetricNames.Loss, "KTO loss"),
            (KtoMetricsAccumulator.Kl, "KL reference point z0"),
            (MetricNames.RewardsMargins, "Reward margin (desirable − undesirable means)"),
            ("eval_" + MetricNames.RewardsAccuracies, "Held-out pair reward accuracy"),
        ], cancellationToken);

        var extra = new JsonObject
        {
            ["train_examples"] = train.Count,
            ["eval_pairs"] = eval.Count,
            ["steps"] = options.Loop.TotalSteps(train.Count),
            ["first_step_loss"] = result.FirstStepLoss,
            ["final_loss"] = double.IsFinite(result.FinalLoss) ? result.FinalLoss : null,
            ["eval"] = new JsonObject(result.Eval.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)(double.IsFinite(e.Value) ? e.Value : null)))),
        };
        var total = rows.Count + heldOut.Count;
        return new TaskResult(new StageCounters(total, total - dropped.Values.Sum(), dropped), extra);
    }

    public Task<StageSummary> FinalizeAsync(StageContext context, IReadOnlyList<TaskResult> tasks, CancellationToken cancellationToken = default) =>
        TrainingOutputs.SummaryAsync(tasks);

    /// <summary>
    /// The desirable and undesirable examples of a cached pair with their mismatched KL completions, encoded with the
    /// cache's rule and checked against the cache's token counts; null when a sequence exceeds <paramref name="maxLength"/>.
    /// A cache computed without <c>kto_mismatched</c> is a user error naming that option.
    /// </summary>
    private static KtoPairExamples? Examples(
        CachedPair row, StageOutput input, IReadOnlyDictionary<string, PreferencePair> donors, PromptCompletionEncoder encoder, int maxLength)
    {
        var pair = row.Pair;
        var mismatched = row.Mismatched ?? throw new UserErrorException(
            $"input stage '{input.StageName}' ({input.Kind}) has no reference log-probs of mismatched completions (column " +
            $"'{MismatchedLogProbs.DonorIdColumn}' and its companions are absent), which KTO needs for its KL reference point; set " +
            "'kto_mismatched: true' on that ref-logprobs stage");
        if (!double.IsFinite(mismatched.ChosenLogp) || !double.IsFinite(mismatched.RejectedLogp))
        {
            throw new UserErrorException($"pair '{pair.Id}' ({pair.Source}) in '{input.StageName}' has no finite mismatched reference log-prob; recompute the cache");
        }

        if (pair.Format != PreferencePair.TextFormat)
        {
            throw new UserErrorException($"pair '{pair.Id}' ({pair.Source}) is in '{pair.Format}' format; kto trains on text pairs only for now");
        }

        var donor = donors.GetValueOrDefault(mismatched.DonorId)
            ?? throw new UserErrorException($"pair '{pair.Id}' ({pair.Source}) borrows its KL completions from pair '{mismatched.DonorId}', which the cache does not hold; recompute the cache");
        var sequences = new (string Completion, int CachedTokens, string What)[]
        {
            (pair.Chosen, row.ChosenTokens, "chosen"),
            (donor.Chosen, mismatched.ChosenTokens, $"mismatched chosen (of '{donor.Id}')"),
            (pair.Rejected, row.RejectedTokens, "rejected"),
            (donor.Rejected, mismatched.RejectedTokens, $"mismatched rejected (of '{donor.Id}')"),
        };
        var requests = sequences.Select(q => encoder.Encode(pair.Prompt, q.Completion)).Select(ids => new LogProbRequest(ids.PromptIds, ids.CompletionIds)).ToArray();
        if (requests.Max(r => r.PromptIds.Count + r.CompletionIds.Count) > maxLength)
        {
            return null; // dropped before the token check: the cache may hold truncated values for it
        }

        foreach (var (request, (_, cachedTokens, what)) in requests.Zip(sequences))
        {
            if (request.CompletionIds.Count != cachedTokens)
            {
                throw new UserErrorException(
                    $"pair '{pair.Id}' ({pair.Source}): the tokenizer gives {request.CompletionIds.Count} {what} tokens but the cache scored {cachedTokens}; " +
                    "use the tokenizer and settings the cache used");
            }
        }

        return new KtoPairExamples(
            new KtoExample(requests[0], true, row.RefChosenLogp, requests[1], mismatched.ChosenLogp),
            new KtoExample(requests[2], false, row.RefRejectedLogp, requests[3], mismatched.RejectedLogp));
    }
}
