using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Data.Dedup;

/// <summary>
/// <c>kind: near-clusters</c>, step 2 of near dedup (<c>minhash</c> → near-clusters → <c>near-dedup</c>), one task:
/// loads one bucket partition of every minhash task at a time, sorts it, and within each LSH bucket joins every row to
/// the bucket's first row (union-find; with <c>jaccard_check</c> only if their exact shingle Jaccard similarity reaches
/// it). <b>Survivor rule:</b> each cluster keeps its first row in input order (the least ordinal, where the ordinal is
/// the row's position in the input pairs, all parts in order), so the result does not depend on how many parts or
/// tasks the input had. Writes <c>near_duplicates.parquet</c>: every other row of a cluster with its survivor (ordinal
/// and id), in input order; stats.json holds the cluster-size statistics. Rows in = rows hashed, rows out = rows listed.
/// Memory: an int per row (union-find) plus one partition of band records.
/// </summary>
public sealed class NearClustersStage(NearClustersOptions options) : IStage
{
    public static StageKind Kind { get; } = StageKind.Define<NearClustersOptions>(
        "near-clusters", 1, "Near dedup, step 2: LSH buckets → union-find clusters → near_duplicates.parquet (dropped id → survivor id) and cluster-size stats.",
        InputArity.One, o => new NearClustersStage(o));

    /// <summary>Manifest metadata: the cluster-size statistics (as in stats.json under <c>near</c>).</summary>
    internal const string ClusterStats = "near";

    public int TaskCount(IReadOnlyList<StageOutput> inputs)
    {
        if (inputs[0].Kind != MinHashStage.Kind.Name)
        {
            throw new UserErrorException(
                $"near-clusters reads the output of a 'kind: minhash' stage, and '{inputs[0].StageName}' is of kind '{inputs[0].Kind}'; " +
                $"add 'signatures: {{kind: minhash, input: {inputs[0].StageName}}}' and read that");
        }

        return 1;
    }

    public async Task<TaskResult> RunTaskAsync(TaskContext context, CancellationToken cancellationToken = default)
    {
        var stage = context.Stage;
        var signatures = stage.Inputs[0];
        var minhash = signatures.Metadata[MinHashFiles.Options]!.AsObject();
        var shardRows = MinHashFiles.ReadShardRows(signatures.Metadata);
        var offsets = new int[shardRows.Length + 1];
        for (int s = 0; s < shardRows.Length; s++)
        {
            offsets[s + 1] = checked(offsets[s] + shardRows[s]);
        }

        int count = offsets[^1];
        int partitions = int.Parse(minhash["partitions"]!.ToJsonString(), CultureInfo.InvariantCulture);
        double? jaccardCheck = minhash["jaccard_check"] is { } check ? double.Parse(check.ToJsonString(), CultureInfo.InvariantCulture) : null;
        var shingles = jaccardCheck is null ? null : await OpenShinglesAsync(stage.Storage, signatures, shardRows.Length, cancellationToken);
        try
        {
            var clusters = new UnionFind(count);
            long candidates = 0, rejectedByJaccard = 0;
            using (var progress = stage.Progress.Start($"{stage.StageName} buckets", "partitions"))
            {
                for (int p = 0; p < partitions; p++)
                {
                    var records = await ReadPartitionAsync(stage.Storage, signatures, p, offsets, cancellationToken);
                    records.Sort();
                    var (joined, rejected) = JoinBuckets(CollectionsMarshal.AsSpan(records), clusters, shingles, offsets, jaccardCheck);
                    candidates += joined + rejected;
                    rejectedByJaccard += rejected;
                    progress.Advance(1);
                }
            }

            var stats = new ClusterSizes();
            var dropped = new List<(int Ordinal, int Survivor)>();
            var needed = new bool[count];
            for (int i = 0; i < count; i++)
            {
                int root = clusters.Find(i);
                if (root != i)
                {
                    dropped.Add((i, root));
                    stats.Add(root);
                    needed[i] = needed[root] = true;
                }
            }

            var ids = await ReadIdsAsync(stage.Storage, signatures, shardRows, needed, cancellationToken);
            await using (var table = await ParquetTableWriter<NearDuplicate>.CreateAsync(
                stage.Storage, stage.OutputPath(NearDuplicate.FileName), NearDuplicate.Schema, options.RowGroupRows, cancellationToken))
            {
                foreach (var (ordinal, survivor) in dropped)
                {
                    await table.WriteAsync(new NearDuplicate(ordinal, ids[ordinal], survivor, ids[survivor]), cancellationToken);
                }

                await table.CompleteAsync(cancellationToken);
            }

            var near = stats.ToJson();
            near["candidate_pairs"] = candidates;
            near["rejected_by_jaccard"] = rejectedByJaccard;
            return new TaskResult(new StageCounters(count, dropped.Count, new Dictionary<string, long>()), new JsonObject { [ClusterStats] = near });
        }
        finally
        {
            foreach (var records in shingles ?? [])
            {
                records.Dispose();
            }
        }
    }

    public Task<StageSummary> FinalizeAsync(StageContext context, IReadOnlyList<TaskResult> tasks, CancellationToken cancellationToken = default)
    {
        var signatures = context.Inputs[0].Metadata;
        var near = tasks[0].Extra![ClusterStats]!;
        var metadata = new JsonObject
        {
            [MinHashFiles.ShardRows] = signatures[MinHashFiles.ShardRows]!.DeepClone(),
            [MinHashFiles.Pairs] = signatures[MinHashFiles.Pairs]!.DeepClone(),
            [MinHashFiles.Options] = signatures[MinHashFiles.Options]!.DeepClone(),
            [ClusterStats] = near.DeepClone(),
        };
        return Task.FromResult(new StageSummary(tasks[0].Counters, new JsonObject { [ClusterStats] = near.DeepClone() }, metadata));
    }

    /// <summary>
    /// Joins every row of each bucket (a run of records with one band and key, sorted by ordinal) to the bucket's first
    /// row; returns how many candidates joined and how many the Jaccard check rejected.
    /// </summary>
    private static (long Joined, long Rejected) JoinBuckets(ReadOnlySpan<BandRecord> records, UnionFind clusters, ScratchRecords[]? shingles, int[] offsets, double? jaccardCheck)
    {
        long joined = 0, rejected = 0;
        int start = 0;
        while (start < records.Length)
        {
            int end = start + 1;
            while (end < records.Length && records[end].SameBucket(records[start]))
            {
                end++;
            }

            int head = records[start].Ordinal;
            ulong[]? headShingles = null;
            for (int i = start + 1; i < end; i++)
            {
                int ordinal = records[i].Ordinal;
                if (shingles is not null)
                {
                    headShingles ??= Shingles(shingles, offsets, head).ToArray();
                    if (MinHasher.Jaccard(headShingles, Shingles(shingles, offsets, ordinal)) < jaccardCheck!.Value)
                    {
                        rejected++;
                        continue;
                    }
                }

                joined++;
                clusters.Union(head, ordinal);
            }

            start = end;
        }

        return (joined, rejected);
    }

    private static ReadOnlySpan<ulong> Shingles(ScratchRecords[] shingles, int[] offsets, int ordinal)
    {
        int shard = Shard(offsets, ordinal);
        return MemoryMarshal.Cast<byte, ulong>(shingles[shard][ordinal - offsets[shard]]);
    }

    /// <summary>The task whose rows hold <paramref name="ordinal"/> (the last s with offsets[s] ≤ ordinal, skipping empty tasks).</summary>
    private static int Shard(int[] offsets, int ordinal)
    {
        int index = Array.BinarySearch(offsets, 0, offsets.Length - 1, ordinal);
        if (index < 0)
        {
            return ~index - 1;
        }

        while (index + 1 < offsets.Length - 1 && offsets[index + 1] == ordinal)
        {
            index++;
        }

        return index;
    }

    private static async Task<List<BandRecord>> ReadPartitionAsync(IStorage storage, StageOutput signatures, int partition, int[] offsets, CancellationToken cancellationToken)
    {
        var records = new List<BandRecord>();
        for (int s = 0; s < offsets.Length - 1; s++)
        {
            var bytes = await storage.ReadAllBytesAsync(signatures.Path(MinHashFiles.Buckets(partition, s)), cancellationToken);
            records.EnsureCapacity(records.Count + bytes.Length / BandRecord.Size);
            for (int at = 0; at + BandRecord.Size <= bytes.Length; at += BandRecord.Size)
            {
                var record = BandRecord.Read(bytes.AsSpan(at, BandRecord.Size));
                records.Add(record with { Ordinal = record.Ordinal + offsets[s] });
            }
        }

        return records;
    }

    private static async Task<Dictionary<int, string>> ReadIdsAsync(IStorage storage, StageOutput signatures, int[] shardRows, bool[] needed, CancellationToken cancellationToken)
    {
        var ids = new Dictionary<int, string>();
        int ordinal = 0;
        for (int s = 0; s < shardRows.Length; s++)
        {
            await using var stream = await storage.OpenReadAsync(signatures.Path(MinHashFiles.Ids(s)), cancellationToken);
            using var reader = new BinaryReader(new BufferedStream(stream, 1 << 16));
            for (int row = 0; row < shardRows[s]; row++)
            {
                string id = reader.ReadString();
                if (needed[ordinal])
                {
                    ids[ordinal] = id;
                }

                ordinal++;
            }
        }

        return ids;
    }

    private static async Task<ScratchRecords[]> OpenShinglesAsync(IStorage storage, StageOutput signatures, int shards, CancellationToken cancellationToken)
    {
        var records = new ScratchRecords[shards];
        for (int s = 0; s < shards; s++)
        {
            var (data, offsets) = MinHashFiles.Shingles(s);
            records[s] = ScratchRecords.Open(
                await storage.MaterializeAsync(signatures.Path(data), cancellationToken),
                await storage.MaterializeAsync(signatures.Path(offsets), cancellationToken));
        }

        return records;
    }
}
