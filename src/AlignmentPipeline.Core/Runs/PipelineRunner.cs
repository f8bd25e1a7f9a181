using System.Diagnostics;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Hashing;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;

namespace AlignmentPipeline.Core.Runs;

/// <summary>
/// Runs a validated pipeline against a storage: computes fingerprints, reuses every stage whose output exists, runs
/// the others task by task (skipping tasks that completed before a crash), and publishes each output with its manifest
/// last. A run record tracks it all.
/// </summary>
public sealed class PipelineRunner
{
    private const string TasksFolder = "_tasks";
    private readonly RunOptions options;
    private readonly RunStore store;
    private readonly FileHashCache hashes;

    public PipelineRunner(RunOptions options)
    {
        this.options = options;
        store = new RunStore(options.Storage);
        hashes = options.Hashes ?? new FileHashCache(options.Storage is LocalStorage local ? Path.Combine(local.Root, "cache", "file-hashes.json") : null);
    }

    public async Task<IReadOnlyList<StagePlan>> PlanAsync(PipelineSpec pipeline, CancellationToken cancellationToken = default)
    {
        var fingerprints = await new Fingerprinter(hashes).ComputeAsync(pipeline, cancellationToken);
        hashes.Save();
        var plan = new List<StagePlan>();
        foreach (var stage in pipeline.Stages)
        {
            string fingerprint = fingerprints[stage.Name];
            bool exists = await store.TryLoadOutputAsync(stage.Name, fingerprint, cancellationToken) is not null;
            plan.Add(new StagePlan(stage, fingerprint, exists && !options.Force.Contains(stage.Name)));
        }

        return plan;
    }

    public async Task<RunRecord> RunAsync(PipelineSpec pipeline, CancellationToken cancellationToken = default)
    {
        var plan = await PlanAsync(pipeline, cancellationToken);
        var record = new RunRecord
        {
            RunId = NewRunId(),
            Pipeline = pipeline.Name,
            PipelineFile = pipeline.SourceFile,
            Storage = options.Storage.Uri,
            Params = pipeline.Params,
            StartedAt = options.Time.GetUtcNow(),
            Stages = plan.Select(p => new StageRecord { Name = p.Spec.Name, Kind = p.Spec.Kind.Name, Fingerprint = p.Fingerprint }).ToList(),
        };
        await store.SaveAsync(record, cancellationToken);
        options.Log.Info($"run {record.RunId}: pipeline '{pipeline.Name}', {plan.Count} stages, storage {options.Storage.Uri}");

        var outputs = new Dictionary<string, StageOutput>(StringComparer.Ordinal);
        try
        {
            for (int i = 0; i < plan.Count; i++)
            {
                var stageRecord = record.Stages[i];
                stageRecord.Status = StageStatus.Running;
                await store.SaveAsync(record, CancellationToken.None);
                outputs[plan[i].Spec.Name] = await RunStageAsync(plan[i], outputs, stageRecord, cancellationToken);
                await store.SaveAsync(record, CancellationToken.None);
            }

            record.Status = RunStatus.Succeeded;
        }
        catch (Exception e)
        {
            bool cancelled = e is OperationCanceledException && cancellationToken.IsCancellationRequested;
            record.Status = cancelled ? RunStatus.Cancelled : RunStatus.Failed;
            record.Error = cancelled ? "cancelled; rerun to resume" : e.Message;
            foreach (var stage in record.Stages)
            {
                stage.Status = stage.Status switch
                {
                    StageStatus.Running => cancelled ? StageStatus.Cancelled : StageStatus.Failed,
                    StageStatus.Pending => StageStatus.Skipped,
                    _ => stage.Status,
                };
            }

            throw;
        }
        finally
        {
            record.EndedAt = options.Time.GetUtcNow();
            await store.SaveAsync(record, CancellationToken.None);
            options.Log.Info($"run {record.RunId} {record.Status}: {Summary(record)}");
        }

        return record;
    }

    private async Task<StageOutput> RunStageAsync(StagePlan plan, Dictionary<string, StageOutput> outputs, StageRecord record, CancellationToken cancellationToken)
    {
        var spec = plan.Spec;
        var started = Stopwatch.StartNew();
        if (plan.Exists && await store.TryLoadOutputAsync(spec.Name, plan.Fingerprint, cancellationToken) is { } reused)
        {
            await FillCountsAsync(record, reused, cancellationToken);
            record.Status = StageStatus.Reused;
            record.Seconds = started.Elapsed.TotalSeconds;
            options.Log.Info($"{spec.Name}: reused {Short(plan.Fingerprint)} ({record.RowsOut?.ToString("N0") ?? "?"} rows)");
            return reused;
        }

        string prefix = $"stages/{spec.Name}/{plan.Fingerprint}";
        await using (await AcquireStageLockAsync(spec.Name, plan.Fingerprint, cancellationToken))
        {
            if (options.Force.Contains(spec.Name))
            {
                await options.Storage.DeleteAsync(prefix, cancellationToken);
            }
            else if (await store.TryLoadOutputAsync(spec.Name, plan.Fingerprint, cancellationToken) is { } finishedMeanwhile)
            {
                await FillCountsAsync(record, finishedMeanwhile, cancellationToken);
                record.Status = StageStatus.Reused;
                record.Seconds = started.Elapsed.TotalSeconds;
                options.Log.Info($"{spec.Name}: reused {Short(plan.Fingerprint)}, computed meanwhile by another run");
                return finishedMeanwhile;
            }

            int discarded = await options.Storage.DiscardUncommittedAsync(prefix, cancellationToken);
            if (discarded > 0)
            {
                options.Log.Info($"{spec.Name}: removed {discarded} unfinished file{(discarded == 1 ? "" : "s")} left by an interrupted attempt");
            }

            var inputs = spec.Inputs.Select(i => outputs[i]).ToList();
            var upstream = spec.Dependencies.ToDictionary(d => d, d => outputs[d], StringComparer.Ordinal);
            var context = new StageContext(spec.Name, plan.Fingerprint, options.Storage, inputs, upstream, options.Log,
                new ProgressReporter(options.Log, options.InteractiveProgress, options.Time), options.Time);
            var stage = spec.Kind.Create(spec.Options);
            int taskCount = stage.TaskCount(inputs);
            var results = new TaskResult?[taskCount];
            var pending = new List<int>();
            for (int task = 0; task < taskCount; task++)
            {
                string marker = context.OutputPath($"{TasksFolder}/task-{task:D5}.json");
                if (await options.Storage.ExistsAsync(marker, cancellationToken))
                {
                    results[task] = TaskResult.FromJson(await options.Storage.ReadJsonAsync(marker, cancellationToken));
                }
                else
                {
                    pending.Add(task);
                }
            }

            record.Tasks = taskCount;
            record.TasksResumed = taskCount - pending.Count;
            options.Log.Info(pending.Count == taskCount
                ? $"{spec.Name}: computing {Short(plan.Fingerprint)} ({spec.Kind.Name}, {taskCount} task{(taskCount == 1 ? "" : "s")})"
                : $"{spec.Name}: resuming {Short(plan.Fingerprint)}: {taskCount - pending.Count} of {taskCount} tasks already complete");

            var executor = spec.Kind.ParallelTasks || options.Executor is not LocalExecutor ? options.Executor : new LocalExecutor(1);
            await executor.RunAsync(pending, async (task, token) =>
            {
                var result = await stage.RunTaskAsync(new TaskContext(context, task, taskCount), token);
                await options.Storage.WriteJsonAsync(context.OutputPath($"{TasksFolder}/task-{task:D5}.json"), result.ToJson(), token);
                results[task] = result;
            }, cancellationToken);

            var summary = await stage.FinalizeAsync(context, results.Select(r => r!).ToList(), cancellationToken);
            var stats = summary.Counters.ToJson();
            stats["tasks"] = taskCount;
            foreach (var (key, value) in summary.Stats ?? [])
            {
                stats[key] = value?.DeepClone();
            }

            await options.Storage.WriteJsonAsync(context.OutputPath("stats.json"), stats, cancellationToken);
            var files = await ListPublishedAsync(prefix, cancellationToken);
            var manifest = new Manifest(spec.Name, spec.Kind.Name, spec.Kind.Version, plan.Fingerprint, Redacted(spec),
                spec.Dependencies.ToDictionary(d => d, d => outputs[d].Fingerprint, StringComparer.Ordinal),
                files, stats, summary.Metadata ?? []);
            await options.Storage.WriteJsonAsync(context.OutputPath(Manifest.FileName), manifest.ToJson(), cancellationToken);

            record.RowsIn = summary.Counters.RowsIn;
            record.RowsOut = summary.Counters.RowsOut;
            record.Status = StageStatus.Computed;
            record.Seconds = started.Elapsed.TotalSeconds;
            string dropped = summary.Counters.Dropped.Count == 0 ? "" : $", dropped {string.Join(", ", summary.Counters.Dropped.Select(d => $"{d.Key}={d.Value:N0}"))}";
            options.Log.Info($"{spec.Name}: computed in {record.Seconds:0.0} s: {summary.Counters.RowsIn:N0} rows in, {summary.Counters.RowsOut:N0} out{dropped}");
            return new StageOutput(spec.Name, spec.Kind.Name, plan.Fingerprint, prefix, files.Select(f => f.Path).ToList(), manifest.Metadata);
        }
    }

    private async Task<IAsyncDisposable> AcquireStageLockAsync(string stage, string fingerprint, CancellationToken cancellationToken)
    {
        string lockPath = $"stages/{stage}/{fingerprint}.lock";
        var quick = await TryLockAsync(lockPath, cancellationToken);
        if (quick is not null)
        {
            return quick;
        }

        options.Log.Info($"{stage}: another run is computing {Short(fingerprint)}; waiting for it");
        return await options.Storage.AcquireLockAsync(lockPath, options.LockWait, cancellationToken);
    }

    private async Task<IAsyncDisposable?> TryLockAsync(string lockPath, CancellationToken cancellationToken)
    {
        try
        {
            return await options.Storage.AcquireLockAsync(lockPath, TimeSpan.Zero, cancellationToken);
        }
        catch (StorageLockTimeoutException)
        {
            return null;
        }
    }

    private async Task<IReadOnlyList<ManifestFile>> ListPublishedAsync(string prefix, CancellationToken cancellationToken)
    {
        var files = new List<ManifestFile>();
        await foreach (var entry in options.Storage.ListAsync(prefix, cancellationToken))
        {
            string relative = entry.Path[(prefix.Length + 1)..];
            if (relative.StartsWith(TasksFolder + "/", StringComparison.Ordinal) || relative == Manifest.FileName)
            {
                continue;
            }

            await using var stream = await options.Storage.OpenReadAsync(entry.Path, cancellationToken);
            files.Add(new ManifestFile(relative, entry.Length, await Hex.Sha256Async(stream, cancellationToken)));
        }

        return files;
    }

    private async Task FillCountsAsync(StageRecord record, StageOutput output, CancellationToken cancellationToken)
    {
        var manifest = await store.LoadManifestAsync(output, cancellationToken);
        record.RowsIn = manifest.Stats["rows_in"]?.GetValue<long>();
        record.RowsOut = manifest.Stats["rows_out"]?.GetValue<long>();
        record.Tasks = manifest.Stats["tasks"]?.GetValue<int>();
    }

    private static JsonObject Redacted(StageSpec spec)
    {
        var options = (JsonObject)spec.CanonicalOptions.DeepClone();
        foreach (string key in spec.EnvKeys)
        {
            string top = key.Split('.', '[')[0];
            if (options.ContainsKey(top))
            {
                options[top] = "<from environment>";
            }
        }

        foreach (var reference in spec.Files)
        {
            options[reference.Key.Split('.', '[')[0]] = reference.Written;
        }

        foreach (var (key, stages) in spec.References)
        {
            options[key.Split('.', '[')[0]] = stages.Count == 1 ? stages[0] : new JsonArray(stages.Select(s => (JsonNode)s).ToArray());
        }

        return options;
    }

    private string NewRunId() =>
        $"{options.Time.GetUtcNow():yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";

    private static string Short(string fingerprint) => fingerprint[..12];

    private static string Summary(RunRecord record) =>
        string.Join(", ", record.Stages.GroupBy(s => s.Status).Select(g => $"{g.Count()} {g.Key}"));
}
