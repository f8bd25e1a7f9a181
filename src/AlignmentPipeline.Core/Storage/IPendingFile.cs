namespace AlignmentPipeline.Core.Storage;

/// <summary>A file being written. Disposing without committing discards it.</summary>
public interface IPendingFile : IAsyncDisposable
{
    /// <summary>Write the content here. Do not dispose it; commit or dispose the pending file.</summary>
    Stream Stream { get; }

    /// <summary>Flushes to durable storage and publishes the file under its final path, replacing any old one.</summary>
    Task CommitAsync(CancellationToken cancellationToken = default);
}
