namespace AlignmentPipeline.Core.Stages;

/// <summary>The context of task <see cref="TaskIndex"/> of <see cref="TaskCount"/>.</summary>
public sealed class TaskContext(StageContext stage, int taskIndex, int taskCount)
{
    public StageContext Stage { get; } = stage;

    public int TaskIndex { get; } = taskIndex;

    public int TaskCount { get; } = taskCount;

    /// <summary>This task's data part, <c>part-{i:D5}.parquet</c>.</summary>
    public string PartPath => Stage.OutputPath($"part-{TaskIndex:D5}.parquet");

    /// <summary>This task's quarantine part, <c>quarantine/part-{i:D5}.parquet</c>.</summary>
    public string QuarantinePath => Stage.OutputPath($"quarantine/part-{TaskIndex:D5}.parquet");
}
