using System.Globalization;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Evaluation.Judges;
using AlignmentPipeline.Evaluation.Statistics;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.ReferenceCache;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Modeling.Stages;
using static TorchSharp.torch;

namespace AlignmentPipeline.Evaluation.Stages;

/// <summary>
/// DPO implicit-reward accuracy (Rafailov et al. 2023, eq. 5: r(x, y) = β log π(y|x)/π_ref(y|x)) of a policy on the
/// pairs of a reference cache. Each pair is an item whose "candidate" is the chosen response and "baseline" the
/// rejected one: a win when the policy's implicit reward ranks chosen above rejected, a loss when below, and a tie
/// (counted ½, as every win rate here) when |log-ratio(chosen) − log-ratio(rejected)| ≤ <c>tie_tolerance</c>. So the
/// report's win rate is the accuracy with ties as half, and a policy equal to its reference scores exactly 0.5.
/// judge_fields adds TRL's strict <c>rewards/accuracies</c> (the share of wins: ties, with the same tolerance, count as
/// wrong) and the mean rewards and margin.
/// </summary>
internal static class ImplicitRewardEvaluation
{
    /// <summary>Judge name in the report.</summary>
    public const string JudgeName = "implicit_reward";

    public static async Task<(IReadOnlyList<JudgedItem> Items, JsonObject Fields)> RunAsync(
        StageContext context, StageOutput cache, EvaluateOptions options, CancellationToken cancellationToken = default)
    {
        var judge = options.Judge;
        var key = ReferenceCacheReader.Key(cache);
        var pairs = await ReadPairsAsync(context, cache, options.Split, cancellationToken);
        var policyPath = await ModelArtifacts.ResolveAsync(context, judge.Policy!, cancellationToken);
        var tokenizer = ReferenceModelFiles.LoadTokenizer(ReferenceModelFiles.ResolveTokenizer(policyPath, judge.Tokenizer)).Tokenizer;
        var encoder = new CachePairEncoder(tokenizer, key);
        var requests = pairs.Select(encoder.Encode).ToList();

        var policyLogps = new (double Chosen, double Rejected)[pairs.Count];
        var loaded = ModelLoader.Load(policyPath, new ModelRuntimeOptions(judge.Device, key.DType));
        using (var model = loaded.Model)
        {
            using var progress = context.Progress.Start($"{context.StageName} implicit rewards", "pairs", pairs.Count);
            var lengths = requests.Select(r => 2 * Math.Max(
                r.Chosen.PromptIds.Count + r.Chosen.CompletionIds.Count, r.Rejected.PromptIds.Count + r.Rejected.CompletionIds.Count)).ToList();
            foreach (var batch in LengthBuckets.Plan(lengths, judge.BatchTokens))
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var sequences = CompletionLogProbs.Compute(model, [.. batch.SelectMany(i => new[] { requests[i].Chosen, requests[i].Rejected })], LogProbMode.Inference)
                    .ToSequences();
                for (var k = 0; k < batch.Length; k++)
                {
                    policyLogps[batch[k]] = (sequences[2 * k].Sum, sequences[2 * k + 1].Sum);
                }

                progress.Advance(batch.Length);
            }
        }

        var items = new List<JudgedItem>(pairs.Count);
        double chosenRewards = 0, rejectedRewards = 0, strictCorrect = 0;
        for (var i = 0; i < pairs.Count; i++)
        {
            var cached = pairs[i];
            var chosenRatio = policyLogps[i].Chosen - cached.RefChosenLogp;
            var rejectedRatio = policyLogps[i].Rejected - cached.RefRejectedLogp;
            var difference = chosenRatio - rejectedRatio;
            var verdict = Math.Abs(difference) <= judge.TieTolerance ? Verdict.Tie : difference > 0 ? Verdict.Win : Verdict.Loss;
            var (chosenReward, rejectedReward) = (judge.Beta * chosenRatio, judge.Beta * rejectedRatio);
            chosenRewards += chosenReward;
            rejectedRewards += rejectedReward;
            strictCorrect += verdict == Verdict.Win ? 1 : 0;
            var fields = new Dictionary<string, string>
            {
                ["policy_chosen_logp"] = Format(policyLogps[i].Chosen),
                ["policy_rejected_logp"] = Format(policyLogps[i].Rejected),
                ["ref_chosen_logp"] = Format(cached.RefChosenLogp),
                ["ref_rejected_logp"] = Format(cached.RefRejectedLogp),
                ["margin"] = Format(chosenReward - rejectedReward),
            };
            var pair = cached.Pair;
            var request = new JudgeRequest(pair.Id, PairText.Plain(pair.Prompt, pair.Format), PairText.Plain(pair.Chosen, pair.Format), PairText.Plain(pair.Rejected, pair.Format));
            items.Add(new JudgedItem(request, new JudgeOutcome(verdict, fields, chosenReward, rejectedReward)));
        }

        var n = Math.Max(1, pairs.Count);
        var describe = new JsonObject
        {
            ["type"] = JudgeName,
            ["beta"] = judge.Beta,
            ["tie_tolerance"] = judge.TieTolerance,
            ["policy"] = judge.Policy,
            ["policy_weights_hash"] = loaded.ContentHash,
            ["reference_cache"] = cache.StageName,
            ["cache_key"] = key.Key,
            ["pairs"] = pairs.Count,
            ["rewards/accuracies"] = strictCorrect / n,
            ["rewards/chosen"] = chosenRewards / n,
            ["rewards/rejected"] = rejectedRewards / n,
            ["rewards/margins"] = (chosenRewards - rejectedRewards) / n,
        };
        return (items, describe);
    }

    /// <summary>
    /// The cached pairs of the requested split; a cache whose rows carry no split is read whole. A cache that lacks pairs
    /// of the stage it scored (<see cref="CacheCoverage"/>) is refused before any model loads.
    /// </summary>
    private static async Task<IReadOnlyList<CachedPair>> ReadPairsAsync(StageContext context, StageOutput cache, PromptSplit split, CancellationToken cancellationToken)
    {
        var rows = new List<CachedPair>();
        await foreach (var row in ReferenceCacheReader.ReadAsync(context.Storage, cache, cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }

        (await CacheCoverage.OfAsync(context.Storage, cache, rows.Select(r => r.Pair.Id), cancellationToken)).Require(context.StageName, cache.StageName);

        var splits = rows.Select(r => r.Split).Distinct().Order(StringComparer.Ordinal).ToList();
        if (split == PromptSplit.All || splits.All(s => s.Length == 0))
        {
            return rows;
        }

        var wanted = split == PromptSplit.Eval ? "eval" : "train";
        var selected = rows.Where(r => r.Split == wanted).ToList();
        return selected.Count > 0
            ? selected
            : throw new UserErrorException($"the reference cache '{cache.StageName}' has no '{wanted}' rows (splits: {string.Join(", ", splits)}); set 'split'");
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
