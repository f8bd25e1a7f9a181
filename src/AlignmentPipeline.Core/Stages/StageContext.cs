using AlignmentPipeline.Core.Hashing;
using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Core.Storage;

namespace AlignmentPipeline.Core.Stages;

/// <summary>Everything a stage may touch: its storage folder, its inputs, logging, progress and time.</summary>
public sealed class StageContext
{
    private readonly IReadOnlyDictionary<string, StageOutput> upstream;

    internal StageContext(
        string stageName,
        string fingerprint,
        IStorage storage,
        IReadOnlyList<StageOutput> inputs,
        IReadOnlyDictionary<string, StageOutput> upstream,
        RunLog log,
        ProgressReporter progress,
        TimeProvider time)
    {
        StageName = stageName;
        Fingerprint = fingerprint;
        Storage = storage;
        Inputs = inputs;
        this.upstream = upstream;
        Log = log;
        Progress = progress;
        Time = time;
        OutputPrefix = $"stages/{stageName}/{fingerprint}";
    }

    public string StageName { get; }

    public string Fingerprint { get; }

    public IStorage Storage { get; }

    /// <summary>The outputs of the stages named by <c>input</c>, in order.</summary>
    public IReadOnlyList<StageOutput> Inputs { get; }

    public RunLog Log { get; }

    public ProgressReporter Progress { get; }

    public TimeProvider Time { get; }

    /// <summary>This stage's folder in storage.</summary>
    public string OutputPrefix { get; }

    /// <summary>
    /// A local scratch folder for spill files; emptied before the stage runs, never published. Named for the storage and
    /// the fingerprint, so the same stage run against two storages at once (two checkouts, two users) never shares it,
    /// while two runs against one storage are serialised by the stage lock.
    /// </summary>
    public string ScratchDirectory =>
        Path.Combine(Path.GetTempPath(), "alignment-pipeline", Hex.Sha256($"{Storage.Uri}\n{Fingerprint}")[..16]);

    /// <summary>The storage path of a file in this stage's output folder.</summary>
    public string OutputPath(string relative) => $"{OutputPrefix}/{relative}";

    /// <summary>The output of a stage named by an option (for example <c>init: sft</c>).</summary>
    public StageOutput Upstream(string stageName) =>
        upstream.TryGetValue(stageName, out var output)
            ? output
            : throw new InvalidOperationException($"stage '{StageName}' did not declare a dependency on '{stageName}'");

    /// <summary>True when an option value names an upstream stage rather than a path.</summary>
    public bool IsStage(string value) => upstream.ContainsKey(value);
}
