using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Data.Dedup;

/// <summary>
/// <c>kind: minhash</c>, step 1 of near dedup (minhash → <c>near-clusters</c> → <c>near-dedup</c>): one task per part
/// of the input pairs. Task i reads part i and writes, per row in input order, its id and its MinHash band keys
/// (see <see cref="MinHashOptions"/>), the band keys spread over hash-partitioned bucket files so that
/// <c>near-clusters</c> can group one partition at a time; with <c>jaccard_check</c> it also stores each row's
/// shingles. It writes no pairs. Rows are hashed in batches on all cores.
/// Why three stages rather than a <c>near:</c> key that expands into them: a pipeline lists what runs, each stage has
/// its own fingerprint, store folder, run-record line and <c>--force</c>, and a changed option reruns only what it
/// touches (a new <c>jaccard_check</c> reuses the signatures).
/// </summary>
public sealed class MinHashStage(MinHashOptions options) : IStage
{
    public static StageKind Kind { get; } = StageKind.Define<MinHashOptions>(
        "minhash", 1, "Near dedup, step 1: MinHash band keys (and ids) of each input part, in hash-partitioned bucket files; feeds near-clusters.",
        InputArity.One, o => new MinHashStage(o));

    /// <summary>Pairs hashed together on all cores before their records are written in input order.</summary>
    private const int HashBatchRows = 4096;

    public int TaskCount(IReadOnlyList<StageOutput> inputs) => Math.Max(1, PairParts.Of(inputs[0], "minhash").Count);

    public async Task<TaskResult> RunTaskAsync(TaskContext context, CancellationToken cancellationToken = default)
    {
        var stage = context.Stage;
        var parts = stage.Inputs[0].Parts;
        await using var buckets = await BucketWriters.CreateAsync(stage, context.TaskIndex, options.Partitions, cancellationToken);
        await using var idsFile = await stage.Storage.CreateAsync(stage.OutputPath(MinHashFiles.Ids(context.TaskIndex)), cancellationToken);
        using var ids = new BinaryWriter(new BufferedStream(idsFile.Stream, 1 << 16));
        string scratch = Path.Combine(stage.ScratchDirectory, $"minhash-{context.TaskIndex:D5}");
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }

        Directory.CreateDirectory(scratch);
        try
        {
            using var shingles = options.JaccardCheck is null ? null : new ScratchRecords(scratch, "shingles");
            var batch = new SignatureBatch(options, HashBatchRows);
            int rows = 0;
            void Write()
            {
                batch.Compute();
                for (int r = 0; r < batch.Pairs.Count; r++)
                {
                    ids.Write(batch.Pairs[r].Id);
                    shingles?.Add(MemoryMarshal.AsBytes(batch.Shingles(r)));
                    for (int b = 0; b < options.Bands; b++)
                    {
                        ulong key = batch.Bands[r * options.Bands + b];
                        new BandRecord(key, (ushort)b, rows).Write(buckets.For(key));
                    }

                    rows = checked(rows + 1);
                }

                batch.Clear();
            }

            if (context.TaskIndex < parts.Count)
            {
                using var progress = stage.Progress.Start($"{stage.StageName} task {context.TaskIndex}", "rows");
                await foreach (var row in ParquetTableReader.ReadAsync(stage.Storage, parts[context.TaskIndex], HashedFields.Columns, cancellationToken))
                {
                    batch.Pairs.Add(HashedFields.Of(row));
                    if (batch.Pairs.Count == batch.Capacity)
                    {
                        progress.Advance(batch.Pairs.Count);
                        Write();
                    }
                }

                progress.Advance(batch.Pairs.Count);
                Write();
            }

            ids.Flush();
            await idsFile.CommitAsync(cancellationToken);
            await buckets.CommitAsync(cancellationToken);
            if (shingles is not null)
            {
                shingles.Complete();
                var (data, offsets) = MinHashFiles.Shingles(context.TaskIndex);
                await CopyAsync(stage, shingles.DataPath, data, cancellationToken);
                await CopyAsync(stage, shingles.OffsetsPath, offsets, cancellationToken);
            }

            return new TaskResult(new StageCounters(rows, rows, new Dictionary<string, long>()), new JsonObject { ["rows"] = rows });
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    public Task<StageSummary> FinalizeAsync(StageContext context, IReadOnlyList<TaskResult> tasks, CancellationToken cancellationToken = default)
    {
        var pairs = context.Inputs[0];
        var metadata = new JsonObject
        {
            [MinHashFiles.ShardRows] = new JsonArray(tasks.Select(t => (JsonNode)t.Extra!["rows"]!.GetValue<int>()).ToArray()),
            [MinHashFiles.Pairs] = new JsonObject { ["stage"] = pairs.StageName, ["fingerprint"] = pairs.Fingerprint },
            [MinHashFiles.Options] = new JsonObject
            {
                ["ngram"] = options.Ngram,
                ["unit"] = OptionProperty.SnakeCase(options.Unit.ToString()),
                ["field"] = OptionProperty.SnakeCase(options.Field.ToString()),
                ["bands"] = options.Bands,
                ["rows_per_band"] = options.RowsPerBand,
                ["seed"] = options.Seed,
                ["jaccard_check"] = options.JaccardCheck,
                ["partitions"] = options.Partitions,
            },
        };
        return Task.FromResult(new StageSummary(StageCounters.Sum(tasks.Select(t => t.Counters)), Metadata: metadata));
    }

    private static async Task CopyAsync(StageContext stage, string localPath, string relative, CancellationToken cancellationToken)
    {
        await using var file = await stage.Storage.CreateAsync(stage.OutputPath(relative), cancellationToken);
        await using (var source = File.OpenRead(localPath))
        {
            await source.CopyToAsync(file.Stream, cancellationToken);
        }

        await file.CommitAsync(cancellationToken);
    }

    /// <summary>One pending storage file per hash partition (every partition gets a file, maybe empty); committed together at the end of the task.</summary>
    private sealed class BucketWriters : IAsyncDisposable
    {
        private readonly List<IPendingFile> files = [];
        private readonly List<BinaryWriter> writers = [];

        public static async Task<BucketWriters> CreateAsync(StageContext stage, int task, int partitions, CancellationToken cancellationToken)
        {
            var buckets = new BucketWriters();
            try
            {
                for (int p = 0; p < partitions; p++)
                {
                    var file = await stage.Storage.CreateAsync(stage.OutputPath(MinHashFiles.Buckets(p, task)), cancellationToken);
                    buckets.files.Add(file);
                    buckets.writers.Add(new BinaryWriter(new BufferedStream(file.Stream, 1 << 16)));
                }
            }
            catch
            {
                await buckets.DisposeAsync();
                throw;
            }

            return buckets;
        }

        public BinaryWriter For(ulong key) => writers[(int)(key % (ulong)writers.Count)];

        public async Task CommitAsync(CancellationToken cancellationToken)
        {
            for (int p = 0; p < files.Count; p++)
            {
                writers[p].Flush();
                await files[p].CommitAsync(cancellationToken);
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var file in files)
            {
                await file.DisposeAsync();
            }
        }
    }
}
