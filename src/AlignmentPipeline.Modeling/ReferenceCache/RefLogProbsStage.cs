using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Tables;
using AlignmentPipeline.Modeling.Stages;

namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>
/// <c>kind: ref-logprobs</c>: the offline reference cache. Reads every pair of its input (all Parquet parts outside
/// <c>quarantine/</c>; a part's subfolder becomes the <c>split</c> column), tokenizes with the shared prompt/completion
/// rule, scores chosen and rejected together in length-bucketed token-budget batches with
/// <see cref="LogProbs.CompletionLogProbs"/> in inference mode, and writes the pair columns plus
/// <c>ref_chosen_logp</c>, <c>ref_rejected_logp</c>, <c>chosen_tokens</c>, <c>rejected_tokens</c> in input order.
/// Task i of <c>shards</c> scores the i-th contiguous slice of the rows, so parts in task order are the input order.
/// The manifest records the <see cref="ReferenceCacheKey"/> (<c>cache_key</c>, <c>cache_key_components</c>).
/// </summary>
public sealed class RefLogProbsStage(RefLogProbsOptions options) : IStage
{
    /// <summary>The registered kind.</summary>
    public static StageKind Kind { get; } = StageKind.Define<RefLogProbsOptions>(
        "ref-logprobs", 2, "Caches the reference model's summed completion log-probs of every pair (for DPO without a live reference).",
        InputArity.One, o => new RefLogProbsStage(o), parallelTasks: false);

    /// <summary>Pairs encoded and scored together; bounds memory while leaving length buckets room to form.</summary>
    internal const int WindowPairs = 1024;

    public int TaskCount(IReadOnlyList<StageOutput> inputs) => options.Shards;

    public async Task<TaskResult> RunTaskAsync(TaskContext context, CancellationToken cancellationToken = default)
    {
        var stage = context.Stage;
        var modelPath = await ModelArtifacts.ResolveAsync(stage, options.Model, cancellationToken);
        var parts = InputParts.Of(stage.Inputs[0]);
        long total = 0;
        foreach (var (path, _) in parts)
        {
            total += await ParquetTableReader.CountAsync(stage.Storage, path, cancellationToken);
        }

        var (start, end) = (total * context.TaskIndex / context.TaskCount, total * (context.TaskIndex + 1) / context.TaskCount);
        using var reference = ReferenceScorer.Load(modelPath, options);
        await using var output = await ParquetTableWriter<CachedPair>.CreateAsync(stage.Storage, context.PartPath, ReferenceCacheTable.Schema(options.PerToken, options.KtoMismatched), cancellationToken: cancellationToken);
        await using var quarantine = await ParquetTableWriter<QuarantinedRow>.CreateAsync(stage.Storage, context.QuarantinePath, QuarantinedRow.Schema, cancellationToken: cancellationToken);
        using var progress = stage.Progress.Start($"{stage.StageName} shard {context.TaskIndex + 1}/{context.TaskCount}", "pairs", end - start);

        var dropped = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var window = new List<(PreferencePair Pair, string Split, EncodedPair Encoded)>();
        long index = 0, promptTokens = 0, chosenTokens = 0, rejectedTokens = 0, mismatches = 0;
        PreferencePair? previous = null;

        async Task FlushAsync()
        {
            var scored = reference.Scorer.Score(window.Select(w => w.Encoded).ToList());
            var mismatched = options.KtoMismatched ? MismatchedLogProbs.Score(reference, window.Select(w => w.Pair).ToList(), previous) : null;
            for (var k = 0; k < window.Count; k++)
            {
                var (chosen, rejected) = (scored[k].Chosen, scored[k].Rejected);
                chosenTokens += chosen.TokenCount;
                rejectedTokens += rejected.TokenCount;
                await output.WriteAsync(new CachedPair(window[k].Pair, window[k].Split, scored[k].ChosenSum, scored[k].RejectedSum, chosen.TokenCount, rejected.TokenCount,
                    options.PerToken ? chosen.TokenLogProbs : null, options.PerToken ? rejected.TokenLogProbs : null, mismatched?[k]), cancellationToken);
            }

            previous = window.Count > 0 ? window[^1].Pair : previous;

            progress.Advance(window.Count);
            window.Clear();
        }

        foreach (var (path, split) in parts)
        {
            await foreach (var row in ParquetTableReader.ReadAsync(stage.Storage, path, cancellationToken))
            {
                if (index++ < start || index > end)
                {
                    continue;
                }

                var pair = PreferenceTable.FromRow(row);
                var (encoded, reason, detail) = reference.Tokenizer.Encode(pair);
                if (encoded is null)
                {
                    dropped[reason!] = dropped.GetValueOrDefault(reason!) + 1;
                    progress.Advance();
                    await quarantine.WriteAsync(new QuarantinedRow(pair.Id, reason!, detail ?? "", PairJson(pair)), cancellationToken);
                    continue;
                }

                mismatches += encoded.PrefixMismatch ? 1 : 0;
                promptTokens += encoded.PromptIds.Count;
                window.Add((pair, split, encoded));
                if (window.Count == WindowPairs)
                {
                    await FlushAsync();
                }
            }
        }

        await FlushAsync();
        await output.CompleteAsync(cancellationToken);
        await quarantine.CompleteAsync(cancellationToken);
        return new TaskResult(new StageCounters(end - start, output.RowsWritten, dropped), new JsonObject
        {
            ["weights_hash"] = reference.Model.ContentHash,
            ["prompt_tokens"] = promptTokens,
            ["chosen_tokens"] = chosenTokens,
            ["rejected_tokens"] = rejectedTokens,
            ["prefix_mismatches"] = mismatches,
            ["forwards"] = (long)reference.Scorer.Forwards,
            ["positions"] = reference.Scorer.Positions,
        });
    }

    public async Task<StageSummary> FinalizeAsync(StageContext context, IReadOnlyList<TaskResult> tasks, CancellationToken cancellationToken = default)
    {
        var modelPath = await ModelArtifacts.ResolveAsync(context, options.Model, cancellationToken);
        var key = ReferenceCacheKey.Compute(modelPath, options);
        var loadedHashes = tasks.Select(t => t.Extra?["weights_hash"]?.GetValue<string>()).Distinct().ToList();
        if (loadedHashes.Count != 1 || loadedHashes[0] != key.WeightsHash)
        {
            throw new Core.UserErrorException(
                $"the model files at '{modelPath}' changed while '{context.StageName}' ran (weights hashes {string.Join(", ", loadedHashes)} vs {key.WeightsHash}); rerun it");
        }

        long Sum(string field) => tasks.Sum(t => t.Extra?[field]?.GetValue<long>() ?? 0);
        return new StageSummary(
            StageCounters.Sum(tasks.Select(t => t.Counters)),
            new JsonObject
            {
                ["prompt_tokens"] = Sum("prompt_tokens"),
                ["chosen_tokens"] = Sum("chosen_tokens"),
                ["rejected_tokens"] = Sum("rejected_tokens"),
                ["prefix_mismatches"] = Sum("prefix_mismatches"),
                ["forwards"] = Sum("forwards"),
                ["positions"] = Sum("positions"),
            },
            new JsonObject
            {
                [ReferenceCacheKey.KeyField] = key.Key,
                [ReferenceCacheKey.ComponentsField] = key.ToJson(),
                [ReferenceCacheMetadata.InputStage] = context.Inputs[0].StageName,
                [ReferenceCacheMetadata.ModelPath] = modelPath,
                [ReferenceCacheMetadata.TokenizerPath] = ReferenceModelFiles.ResolveTokenizer(modelPath, options.Tokenizer),
            });
    }

    private static string PairJson(PreferencePair pair) => new JsonObject
    {
        ["id"] = pair.Id,
        ["prompt"] = pair.Prompt,
        ["chosen"] = pair.Chosen,
        ["rejected"] = pair.Rejected,
        ["source"] = pair.Source,
        ["format"] = pair.Format,
    }.ToJsonString();
}
