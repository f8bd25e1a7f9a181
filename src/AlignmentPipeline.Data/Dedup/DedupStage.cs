using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data.Cards;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Data.Dedup;

/// <summary>
/// <c>kind: dedup</c>: drops exact duplicates (same normalized key), then near duplicates (MinHash LSH clusters) when
/// <c>near</c> is set, then pairs beyond <c>max_per_prompt</c>. <b>Survivor rule:</b> of each group or cluster the
/// row first in input order (lowest part, then lowest row) survives, so what survives never depends on how the input
/// was sharded, and for exact dedup the set of kept keys never depends on row order at all. Dropped rows go to
/// quarantine with reason <c>duplicate</c>, <c>near_duplicate</c> or <c>max_per_prompt</c>, their id as source and
/// the survivor's id in the detail. Memory stays bounded: keys, band hashes, ids and shingles are spilled to
/// hash-partitioned scratch files and grouped one partition at a time; per row only a byte (fate) and two ints
/// (survivor, union-find parent for near dedup) stay in memory. One task (rows are hashed in batches on all cores); output
/// order is input order.
/// </summary>
public sealed class DedupStage(DedupOptions options) : IStage
{
    public static StageKind Kind { get; } = StageKind.Define<DedupOptions>(
        "dedup", 2, "Drops exact and near duplicate pairs (first occurrence survives) and caps pairs per prompt; drops go to quarantine.",
        InputArity.One, o => new DedupStage(o));

    private const byte Kept = 0, Duplicate = 1, NearDuplicate = 2, OverPromptLimit = 3;

    /// <summary>Pairs hashed together on all cores before their records are spilled in input order.</summary>
    private const int HashBatchRows = 4096;

    private static readonly string[] Reasons = ["kept", "duplicate", "near_duplicate", "max_per_prompt"];

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
        var near = options.Near;
        using var exact = new SpillFiles(scratch, "exact", options.Partitions);
        using var prompts = new SpillFiles(scratch, "prompt", options.Partitions);
        using var bands = new SpillFiles(scratch, "bands", options.Partitions);
        using var ids = new ScratchRecords(scratch, "ids");
        using var shingleStore = near?.JaccardCheck is null ? null : new ScratchRecords(scratch, "shingles");
        var hasher = near is null ? null : new MinHasher(near.Ngram, near.Unit, near.Bands * near.RowsPerBand, near.Seed);
        var batch = new PairHashBatch(options, hasher, HashBatchRows);

        int count = 0;
        using (var progress = context.Stage.Progress.Start($"{context.Stage.StageName} hashing", "rows"))
        {
            void Spill()
            {
                batch.Compute();
                for (int r = 0; r < batch.Pairs.Count; r++)
                {
                    ids.Add(Encoding.UTF8.GetBytes(batch.Pairs[r].Id));
                    var key = batch.Keys[r] with { Ordinal = count };
                    key.Write(exact.For(key.Lo));
                    if (options.MaxPerPrompt is not null)
                    {
                        var prompt = batch.Prompts[r] with { Ordinal = count };
                        prompt.Write(prompts.For(prompt.Lo));
                    }

                    if (near is not null)
                    {
                        shingleStore?.Add(MemoryMarshal.AsBytes(batch.Shingles(r)));
                        for (int b = 0; b < near.Bands; b++)
                        {
                            ulong bucket = batch.Bands[r * near.Bands + b];
                            new BandRecord(bucket, (ushort)b, count).Write(bands.For(bucket));
                        }
                    }

                    count = checked(count + 1);
                }

                progress.Advance(batch.Pairs.Count);
                batch.Clear();
            }

            await foreach (var pair in ReadPairsAsync(context, cancellationToken))
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
        bands.Complete();
        ids.Complete();
        shingleStore?.Complete();

        var fate = new byte[count];
        var survivor = new int[count];
        var stats = new JsonObject { ["exact_duplicate_groups"] = MarkExactDuplicates(exact, fate, survivor) };
        if (near is not null)
        {
            stats["near"] = MarkNearDuplicates(bands, shingleStore, near, fate, survivor, count);
        }

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

    private static JsonObject MarkNearDuplicates(SpillFiles bands, ScratchRecords? shingleStore, NearDedupOptions near, byte[] fate, int[] survivor, int count)
    {
        var clusters = new UnionFind(count);
        long candidates = 0, rejectedByJaccard = 0;
        for (int p = 0; p < bands.Count; p++)
        {
            var records = bands.Read(p, BandRecord.Read);
            records.Sort();
            int start = 0;
            while (start < records.Count)
            {
                int end = start + 1;
                while (end < records.Count && records[end].SameBucket(records[start]))
                {
                    end++;
                }

                int head = -1;
                ulong[]? headShingles = null;
                for (int i = start; i < end; i++)
                {
                    int ordinal = records[i].Ordinal;
                    if (fate[ordinal] != Kept)
                    {
                        continue;
                    }

                    if (head < 0)
                    {
                        head = ordinal;
                        continue;
                    }

                    candidates++;
                    if (shingleStore is not null)
                    {
                        headShingles ??= MemoryMarshal.Cast<byte, ulong>(shingleStore[head]).ToArray();
                        var other = MemoryMarshal.Cast<byte, ulong>(shingleStore[ordinal]);
                        if (MinHasher.Jaccard(headShingles, other) < near.JaccardCheck!.Value)
                        {
                            rejectedByJaccard++;
                            continue;
                        }
                    }

                    clusters.Union(head, ordinal);
                }

                start = end;
            }
        }

        var sizes = new Dictionary<int, int>();
        for (int i = 0; i < count; i++)
        {
            if (fate[i] != Kept)
            {
                continue;
            }

            int root = clusters.Find(i);
            if (root != i)
            {
                fate[i] = NearDuplicate;
                survivor[i] = root;
                sizes[root] = sizes.GetValueOrDefault(root, 1) + 1;
            }
        }

        var histogram = new SortedDictionary<int, int>();
        foreach (int size in sizes.Values)
        {
            int bin = 2;
            while (bin * 2 <= size)
            {
                bin *= 2;
            }

            histogram[bin] = histogram.GetValueOrDefault(bin) + 1;
        }

        return new JsonObject
        {
            ["candidate_pairs"] = candidates,
            ["rejected_by_jaccard"] = rejectedByJaccard,
            ["clusters"] = sizes.Count,
            ["rows_in_clusters"] = sizes.Values.Sum(),
            ["max_cluster_size"] = sizes.Count == 0 ? 0 : sizes.Values.Max(),
            ["cluster_size_histogram"] = new JsonObject(histogram.Select(h =>
                KeyValuePair.Create($"{h.Key}-{h.Key * 2 - 1}", (JsonNode?)h.Value))),
        };
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
        await using var pairs = await ParquetTableWriter<PreferencePair>.CreateAsync(storage, context.PartPath, PreferenceTable.Schema, options.RowGroupRows, cancellationToken);
        await using var quarantine = await ParquetTableWriter<QuarantinedRow>.CreateAsync(storage, context.QuarantinePath, QuarantinedRow.Schema, options.RowGroupRows, cancellationToken);
        string key = OptionProperty.SnakeCase(options.Key.ToString());
        var lengths = new PairLengths();
        int ordinal = 0;
        await foreach (var pair in ReadPairsAsync(context, cancellationToken))
        {
            byte reason = fate[ordinal];
            if (reason == Kept)
            {
                lengths.Add(pair);
                await pairs.WriteAsync(pair, cancellationToken);
            }
            else
            {
                string survivorId = Encoding.UTF8.GetString(ids[survivor[ordinal]]);
                string detail = reason switch
                {
                    Duplicate => $"duplicate of {survivorId} (key: {key})",
                    NearDuplicate => $"near duplicate of {survivorId} (same MinHash cluster)",
                    _ => $"its prompt already has {options.MaxPerPrompt} pairs; the first is {survivorId}",
                };
                dropped[Reasons[reason]] = dropped.GetValueOrDefault(Reasons[reason]) + 1;
                await quarantine.WriteAsync(new QuarantinedRow(pair.Id, Reasons[reason], detail, PairText.Json(pair)), cancellationToken);
            }

            ordinal++;
        }

        await pairs.CompleteAsync(cancellationToken);
        await quarantine.CompleteAsync(cancellationToken);
        stats[PairLengths.ResultKey] = lengths.ToJson();
        return new TaskResult(new StageCounters(fate.Length, pairs.RowsWritten, dropped), stats);
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
}
