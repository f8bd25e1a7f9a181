using System.Text.Json.Nodes;
using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data.Cards;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Data.Dedup;

/// <summary>
/// <c>kind: near-dedup</c>, step 3 of near dedup (<c>minhash</c> → <c>near-clusters</c> → near-dedup): reads
/// <c>input: [pairs, clusters]</c> (the pairs the minhash stage hashed and the near-clusters stage, in either order)
/// and drops every row <c>near_duplicates.parquet</c> lists into quarantine with reason <c>near_duplicate</c>, its id
/// as source and its cluster's survivor (the cluster's first row in input order) in the detail. One task per part of
/// the pairs; kept pairs keep their order. The data card repeats the cluster-size statistics.
/// </summary>
public sealed class NearDedupStage(NearDedupOptions options) : IStage
{
    public static StageKind Kind { get; } = StageKind.Define<NearDedupOptions>(
        "near-dedup", 1, "Near dedup, step 3: drops the rows near-clusters listed (one survivor per cluster) into quarantine.",
        InputArity.Many, o => new NearDedupStage(o));

    public int TaskCount(IReadOnlyList<StageOutput> inputs)
    {
        var (pairs, clusters) = Inputs(inputs);
        var source = clusters.Metadata[MinHashFiles.Pairs]!;
        if (source["fingerprint"]!.GetValue<string>() != pairs.Fingerprint)
        {
            throw new UserErrorException(
                $"near-dedup: the clusters of '{clusters.StageName}' were computed from stage '{source["stage"]}', not from '{pairs.StageName}' " +
                $"(fingerprint {pairs.Fingerprint[..12]}); read the pairs the minhash stage read");
        }

        return Math.Max(1, PairParts.Of(pairs, "near-dedup").Count);
    }

    public async Task<TaskResult> RunTaskAsync(TaskContext context, CancellationToken cancellationToken = default)
    {
        var stage = context.Stage;
        var storage = stage.Storage;
        var (pairs, clusters) = Inputs(stage.Inputs);
        var shardRows = MinHashFiles.ReadShardRows(clusters.Metadata);
        long first = shardRows.Take(context.TaskIndex).Sum(r => (long)r);
        long rows = context.TaskIndex < shardRows.Length ? shardRows[context.TaskIndex] : 0;
        var drops = new Dictionary<long, NearDuplicate>();
        await foreach (var row in ParquetTableReader.ReadAsync(storage, clusters.Path(NearDuplicate.FileName), cancellationToken))
        {
            var duplicate = NearDuplicate.FromRow(row);
            if (duplicate.Ordinal >= first && duplicate.Ordinal < first + rows)
            {
                drops[duplicate.Ordinal] = duplicate;
            }
        }

        var dropped = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var lengths = new PairLengths();
        long ordinal = first;
        await using var kept = await ParquetTableWriter<PreferencePair>.CreateAsync(storage, context.PartPath, PreferenceTable.Schema, options.RowGroupRows, cancellationToken);
        await using var quarantine = await ParquetTableWriter<QuarantinedRow>.CreateAsync(storage, context.QuarantinePath, QuarantinedRow.Schema, options.RowGroupRows, cancellationToken);
        var parts = pairs.Parts;
        if (context.TaskIndex < parts.Count)
        {
            await foreach (var row in ParquetTableReader.ReadAsync(storage, parts[context.TaskIndex], cancellationToken))
            {
                var pair = PreferenceTable.FromRow(row);
                if (drops.TryGetValue(ordinal, out var duplicate))
                {
                    if (duplicate.Id != pair.Id)
                    {
                        throw new InvalidDataException($"near-dedup: row {ordinal} of '{pairs.StageName}' has id {pair.Id}, but '{clusters.StageName}' lists {duplicate.Id} there");
                    }

                    dropped["near_duplicate"] = dropped.GetValueOrDefault("near_duplicate") + 1;
                    await quarantine.WriteAsync(new QuarantinedRow(pair.Id, "near_duplicate", $"near duplicate of {duplicate.SurvivorId} (same MinHash cluster)", PairText.Json(pair)), cancellationToken);
                }
                else
                {
                    lengths.Add(pair);
                    await kept.WriteAsync(pair, cancellationToken);
                }

                ordinal++;
            }
        }

        if (ordinal - first != rows)
        {
            throw new InvalidDataException($"near-dedup: part {context.TaskIndex} of '{pairs.StageName}' has {ordinal - first} rows, and the minhash stage hashed {rows}");
        }

        await kept.CompleteAsync(cancellationToken);
        await quarantine.CompleteAsync(cancellationToken);
        return new TaskResult(new StageCounters(rows, kept.RowsWritten, dropped), new JsonObject { [PairLengths.ResultKey] = lengths.ToJson() });
    }

    public async Task<StageSummary> FinalizeAsync(StageContext context, IReadOnlyList<TaskResult> tasks, CancellationToken cancellationToken = default)
    {
        var (pairs, clusters) = Inputs(context.Inputs);
        var counters = StageCounters.Sum(tasks.Select(t => t.Counters));
        var near = clusters.Metadata[NearClustersStage.ClusterStats]!.AsObject();
        var card = new DataCard(context, Kind, counters, PairLengths.Merge(tasks.Select(t => t.Extra)));
        await CardSections.NearDedup(card, pairs, clusters, clusters.Metadata[MinHashFiles.Options]!.AsObject(), near).WriteAsync(cancellationToken);
        return new StageSummary(counters, new JsonObject { [NearClustersStage.ClusterStats] = near.DeepClone() });
    }

    private static (StageOutput Pairs, StageOutput Clusters) Inputs(IReadOnlyList<StageOutput> inputs)
    {
        var clusters = inputs.Where(i => i.Kind == NearClustersStage.Kind.Name).ToList();
        if (inputs.Count != 2 || clusters.Count != 1)
        {
            throw new UserErrorException(
                $"near-dedup reads two stages, the pairs and their near-clusters stage ('input: [pairs, clusters]'); found {string.Join(", ", inputs.Select(i => $"'{i.StageName}' ({i.Kind})"))}");
        }

        return (inputs.Single(i => i != clusters[0]), clusters[0]);
    }
}
