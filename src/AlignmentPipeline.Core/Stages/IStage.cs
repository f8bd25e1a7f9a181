namespace AlignmentPipeline.Core.Stages;

/// <summary>
/// One stage, built from validated options. It reads inputs and writes outputs only through the context it is given.
/// A stage runs as <see cref="TaskCount"/> independent tasks (task i writes <c>part-{i:D5}</c>); a rerun skips tasks
/// that completed. Outputs must be a deterministic function of options and inputs.
/// </summary>
public interface IStage
{
    /// <summary>How many tasks to run, decided before any runs (1 for single-task stages).</summary>
    int TaskCount(IReadOnlyList<StageOutput> inputs);

    /// <summary>Runs task <see cref="TaskContext.TaskIndex"/> and returns its counters.</summary>
    Task<TaskResult> RunTaskAsync(TaskContext context, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs once after every task completed: merges task results into the stage's stats and may write extra files
    /// (cards, reports) and metadata for the manifest.
    /// </summary>
    Task<StageSummary> FinalizeAsync(StageContext context, IReadOnlyList<TaskResult> tasks, CancellationToken cancellationToken = default) =>
        Task.FromResult(new StageSummary(StageCounters.Sum(tasks.Select(t => t.Counters))));
}
