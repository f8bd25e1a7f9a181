namespace AlignmentPipeline.Core.Storage;

/// <summary>
/// Where stage outputs and run records live, addressed by '/'-separated keys relative to the storage root. Local
/// folders now; Azure Blob Storage plugs in behind the same interface. Files are published atomically: a reader sees
/// a whole file or none.
/// </summary>
public interface IStorage
{
    /// <summary>The storage root as the user wrote it (a path or URI), for messages.</summary>
    string Uri { get; }

    Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Opens a whole, published file for reading. The stream is seekable.</summary>
    Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Starts writing a file that becomes visible only on <see cref="IPendingFile.CommitAsync"/>.</summary>
    Task<IPendingFile> CreateAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Every file below a prefix, recursively, sorted by path.</summary>
    IAsyncEnumerable<StorageEntry> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Deletes a file, or every file below a prefix.</summary>
    Task DeleteAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes writes below a prefix that were started and never committed (left behind by a killed process) and
    /// returns how many were removed. Call only while holding the lock that owns the prefix, so no live write is hit.
    /// </summary>
    Task<int> DiscardUncommittedAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes an exclusive lock named by a path, waiting up to <paramref name="wait"/> (infinite with
    /// <see cref="Timeout.InfiniteTimeSpan"/>). A lock held by a killed process is released.
    /// </summary>
    Task<IAsyncDisposable> AcquireLockAsync(string path, TimeSpan wait, CancellationToken cancellationToken = default);

    /// <summary>A path on local disk holding the file (the file itself for local storage, a cached copy otherwise).</summary>
    Task<string> MaterializeAsync(string path, CancellationToken cancellationToken = default);
}
