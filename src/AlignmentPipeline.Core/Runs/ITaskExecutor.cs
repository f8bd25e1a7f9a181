namespace AlignmentPipeline.Core.Runs;

/// <summary>Runs the pending tasks of one stage: in this process (local), or later as a Slurm array or Kubernetes job.</summary>
public interface ITaskExecutor
{
    Task RunAsync(IReadOnlyList<int> pendingTasks, Func<int, CancellationToken, Task> runTask, CancellationToken cancellationToken = default);
}
