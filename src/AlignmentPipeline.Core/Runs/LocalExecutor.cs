namespace AlignmentPipeline.Core.Runs;

/// <summary>Runs tasks in this process, at most <paramref name="parallelism"/> at a time. The first failure cancels the rest.</summary>
public sealed class LocalExecutor(int parallelism) : ITaskExecutor
{
    public async Task RunAsync(IReadOnlyList<int> pendingTasks, Func<int, CancellationToken, Task> runTask, CancellationToken cancellationToken = default)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(pendingTasks, options, async (task, token) => await runTask(task, token));
    }
}
