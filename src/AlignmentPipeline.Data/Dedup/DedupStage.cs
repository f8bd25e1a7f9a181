using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data.Cards;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Data.Dedup;

/// <summary>
/// <c>kind: dedup</c>: drops exact duplicates (same normalized key), then pairs beyond <c>max_per_prompt</c>.
/// <b>Survivor rule:</b> of each group the row first in input order (lowest part, then lowest row) survives, so what
/// survives never depends on how the input was sharded, and the set of kept keys never depends on row order at all.
/// Dropped rows go to quarantine with reason <c>duplicate</c> or <c>max_per_prompt</c>, their id as source and the
/// survivor's id in the detail. Memory stays bounded: keys and ids are spilled to hash-partitioned scratch files and
/// grouped one partition at a time; per row only a byte (fate) and an int (survivor) stay in memory. One task (rows
/// are hashed in batches on all cores); output order is input order, cut evenly into <c>output_parts</c> parts (default
/// 1) so the sharded stages after it (minhash, near-dedup, filter, split) can run that many tasks. Near dedup is a separate, sharded chain of
/// stages: <see cref="MinHashStage"/> → <see cref="NearClustersStage"/> → <see cref="NearDedupStage"/>.
/// </summary>
public sealed class DedupStage(DedupOptions options) : IStage
{
    public static StageKind Kind { get; } = StageKind.Define<DedupOptions>(
        "dedup", 3, "Drops exact duplicate pairs (first occurrence survives) and caps pairs per prompt; drops go to quarantine.",
        InputArity.One, o => new DedupStage(o));

    private const byte Kept = 0, Duplicate = 1, OverPromptLimit = 2;

    /// <summary>Pairs hashed together on all cores before their records are spilled in input order.</summary>
    private const int HashBatchRows = 4096;

    private static readonly string[] Reasons = ["kept", "duplicate", "max_per_prompt"];

    /// <summary>One task (clustering is global); an input split into folders is refused rather than read as empty.</summary>
    public int TaskCount(IReadOnlyList<StageOutput> inputs)
    {
        PairParts.RequireUnsplit(inputs[0], "dedup");
        return 1;
    }

    public async Task<TaskResult> RunTaskAsync(TaskContext context, CancellationToken cancellationToken = default)
    {
        string scratch = Path.Combine(context.Stage.ScratchDirectory, "dedup");
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }

        Directory.CreateDirectory(scratch);
        try
        {
            return await RunAsync(context, scratch, cancellationToken);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private async Task<TaskResult> RunAsync(TaskContext context, string scratch, CancellationToken cancellationToken)
    {
        using var exact = new SpillFiles(scratch, "exact", options.Partitions);
        using var prompts = new SpillFiles(scratch, "prompt", options.Partitions);
        using var ids = new ScratchRecords(scratch, "ids");
        var batch = new PairHashBatch(options, HashBatchRows);

        int count = 0;
        using (var progress = context.Stage.Progress.Start($"{context.Stage.StageName} hashing", "rows"))
        {
            void Spill()
            {
                batch.Compute();
                for (int r = 0; r < batch.Pairs.Count; r++)
                {
                    ids.Add(batch.Pairs[r].Id);
                    var key = batch.Keys[r] with { Ordinal = count };
                    key.Write(exact.For(key.Lo));
                    if (options.MaxPerPrompt is not null)
                    {
                        var prompt = batch.Prompts[r] with { Ordinal = count };
                        prompt.Write(prompts.For(prompt.Lo));
                    }

                    count = checked(count + 1);
                }

                progress.Advance(batch.Pairs.Count);
                batch.Clear();
            }

            await foreach (var pair in ReadHashedFieldsAsync(context, cancellationToken))
            {
                batch.Pairs.Add(pair);
                if (batch.Pairs.Count == batch.Capacity)
                {
                    Spill();
                }
            }

            Spill();
        }

        exact.Complete();
        prompts.Complete();
        ids.Complete();

        var fate = new byte[count];
        var survivor = new int[count];
        var stats = new JsonObject { ["exact_duplicate_groups"] = MarkExactDuplicates(exact, fate, survivor) };
        if (options.MaxPerPrompt is { } limit)
        {
            MarkOverPromptLimit(prompts, limit, fate, survivor);
        }

        return await WriteAsync(context, fate, survivor, ids, stats, cancellationToken);
    }

    private int MarkExactDuplicates(SpillFiles exact, byte[] fate, int[] survivor)
    {
        int groups = 0;
        for (int p = 0; p < exact.Count; p++)
        {
            var records = exact.Read(p, KeyRecord.Read);
            records.Sort();
            int start = 0;
            for (int i = 1; i < records.Count; i++)
            {
                if (!records[i].SameKey(records[start]))
                {
                    start = i;
                    continue;
                }

                groups += i == start + 1 ? 1 : 0;
                fate[records[i].Ordinal] = Duplicate;
                survivor[records[i].Ordinal] = records[start].Ordinal;
            }
        }

        return groups;
    }

    private static void MarkOverPromptLimit(SpillFiles prompts, int limit, byte[] fate, int[] survivor)
    {
        for (int p = 0; p < prompts.Count; p++)
        {
            var records = prompts.Read(p, KeyRecord.Read);
            records.Sort();
            int kept = 0, first = -1;
            for (int i = 0; i < records.Count; i++)
            {
                if (i > 0 && !records[i].SameKey(records[i - 1]))
                {
                    kept = 0;
                    first = -1;
                }

                int ordinal = records[i].Ordinal;
                if (fate[ordinal] != Kept)
                {
                    continue;
                }

                if (kept < limit)
                {
                    kept++;
                    first = first < 0 ? ordinal : first;
                }
                else
                {
                    fate[ordinal] = OverPromptLimit;
                    survivor[ordinal] = first;
                }
            }
        }
    }

    private async Task<TaskResult> WriteAsync(TaskContext context, byte[] fate, int[] survivor, ScratchRecords ids, JsonObject stats, CancellationToken cancellationToken)
    {
        var storage = context.Stage.Storage;
        var dropped = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long keptRows = fate.LongCount(f => f == Kept), written = 0;
        await using var quarantine = await ParquetTableWriter<QuarantinedRow>.CreateAsync(storage, context.QuarantinePath, QuarantinedRow.Schema, options.RowGroupRows, cancellationToken);
        string key = OptionProperty.SnakeCase(options.Key.ToString());
        var lengths = new PairLengths();
        int ordinal = 0, part = -1;
        ParquetTableWriter<PreferencePair>? pairs = null;
        try
        {
            // Part p holds kept rows [p × kept / parts, (p + 1) × kept / parts): input order, evenly cut.
            async Task NextPartAsync()
            {
                if (pairs is not null)
                {
                    await pairs.CompleteAsync(cancellationToken);
                    await pairs.DisposeAsync();
                }

                part++;
                pairs = await ParquetTableWriter<PreferencePair>.CreateAsync(
                    storage, context.Stage.OutputPath($"part-{part:D5}.parquet"), PreferenceTable.Schema, options.RowGroupRows, cancellationToken);
            }

            long PartEnd() => keptRows * (part + 1) / options.OutputParts;

            await NextPartAsync();
            await foreach (var pair in ReadPairsAsync(context, cancellationToken))
            {
                byte reason = fate[ordinal];
                if (reason == Kept)
                {
                    while (written == PartEnd())
                    {
                        await NextPartAsync();
                    }

                    lengths.Add(pair);
                    await pairs!.WriteAsync(pair, cancellationToken);
                    written++;
                }
                else
                {
                    string survivorId = ids.Text(survivor[ordinal]);
                    string detail = reason switch
                    {
                        Duplicate => $"duplicate of {survivorId} (key: {key})",
                        _ => $"its prompt already has {options.MaxPerPrompt} pairs; the first is {survivorId}",
                    };
                    dropped[Reasons[reason]] = dropped.GetValueOrDefault(Reasons[reason]) + 1;
                    await quarantine.WriteAsync(new QuarantinedRow(pair.Id, Reasons[reason], detail, PairText.Json(pair)), cancellationToken);
                }

                ordinal++;
            }

            while (part < options.OutputParts - 1)
            {
                await NextPartAsync();
            }

            await pairs!.CompleteAsync(cancellationToken);
        }
        finally
        {
            if (pairs is not null)
            {
                await pairs.DisposeAsync();
            }
        }

        await quarantine.CompleteAsync(cancellationToken);
        stats[PairLengths.ResultKey] = lengths.ToJson();
        return new TaskResult(new StageCounters(fate.Length, written, dropped), stats);
    }

    public async Task<StageSummary> FinalizeAsync(StageContext context, IReadOnlyList<TaskResult> tasks, CancellationToken cancellationToken = default)
    {
        var counters = StageCounters.Sum(tasks.Select(t => t.Counters));
        var stats = (JsonObject?)tasks[0].Extra?.DeepClone() ?? [];
        stats.Remove(PairLengths.ResultKey);
        await CardSections.Dedup(new DataCard(context, Kind, counters, PairLengths.Merge(tasks.Select(t => t.Extra))), context, options, stats)
            .WriteAsync(cancellationToken);
        return new StageSummary(counters, stats);
    }

    private static async IAsyncEnumerable<PreferencePair> ReadPairsAsync(TaskContext context, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in ParquetTableReader.ReadAllAsync(context.Stage.Storage, context.Stage.Inputs[0].Parts, cancellationToken))
        {
            yield return PreferenceTable.FromRow(row);
        }
    }

    private static async IAsyncEnumerable<PreferencePair> ReadHashedFieldsAsync(TaskContext context, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in ParquetTableReader.ReadAllAsync(context.Stage.Storage, context.Stage.Inputs[0].Parts, HashedFields.Columns, cancellationToken))
        {
            yield return HashedFields.Of(row);
        }
    }
}
