namespace AlignmentPipeline.Core.Runs;

/// <summary>Run status values as written in run records.</summary>
public static class RunStatus
{
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
}

/// <summary>Stage status values as written in run records.</summary>
public static class StageStatus
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Computed = "computed";
    public const string Reused = "reused";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    public const string Skipped = "skipped";
}
