using AlignmentPipeline.Core.Hashing;
using AlignmentPipeline.Core.Storage;

namespace AlignmentPipeline.Core.Runs;

/// <summary>How to run a pipeline.</summary>
public sealed record RunOptions
{
    public required IStorage Storage { get; init; }

    /// <summary>Stages to recompute even when their output exists.</summary>
    public IReadOnlySet<string> Force { get; init; } = new HashSet<string>();

    /// <summary>Runs tasks; default: in this process, as many at a time as there are cores.</summary>
    public ITaskExecutor Executor { get; init; } = new LocalExecutor(Environment.ProcessorCount);

    /// <summary>How long to wait for a stage another run is computing (default: until it finishes).</summary>
    public TimeSpan LockWait { get; init; } = Timeout.InfiniteTimeSpan;

    public RunLog Log { get; init; } = RunLog.Silent;

    public bool InteractiveProgress { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Content hashes of input files; default: cached in the storage's <c>cache/</c> folder when it is local.</summary>
    public FileHashCache? Hashes { get; init; }
}
