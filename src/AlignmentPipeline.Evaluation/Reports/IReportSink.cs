namespace AlignmentPipeline.Evaluation.Reports;

/// <summary>Where report files go. The evaluate stage routes this through run storage; tests use a directory.</summary>
public interface IReportSink
{
    /// <summary>Writes (or replaces) the file <paramref name="name"/> (a plain file name, no folders).</summary>
    Task WriteAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);
}
