namespace AlignmentPipeline.Evaluation.Reports;

/// <summary>Writes report files into a local directory, creating it when needed.</summary>
/// <param name="directory">Target directory.</param>
public sealed class DirectoryReportSink(string directory) : IReportSink
{
    /// <inheritdoc />
    public async Task WriteAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        if (name.Length == 0 || Path.GetFileName(name) != name)
            throw new ArgumentException($"report file names are plain names without folders, got '{name}'", nameof(name));
        Directory.CreateDirectory(directory);
        await File.WriteAllBytesAsync(Path.Combine(directory, name), content, cancellationToken).ConfigureAwait(false);
    }
}
