using System.Runtime.CompilerServices;

namespace AlignmentPipeline.Core.Storage;

/// <summary>
/// Storage in a local folder. Files are written to a temporary name beside the target, flushed to disk and renamed into
/// place, so a crash never leaves a half-written file under a final name. Locks are exclusive file locks (flock), which
/// the operating system releases when the holder dies.
/// </summary>
public sealed class LocalStorage : IStorage
{
    private const string TempMarker = ".tmp-";
    private readonly string root;

    public LocalStorage(string root, string? displayUri = null)
    {
        this.root = Path.GetFullPath(root);
        Uri = displayUri ?? root;
    }

    public string Uri { get; }

    public string Root => root;

    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) =>
        Task.FromResult(File.Exists(Full(path)));

    public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        string full = Full(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"'{path}' does not exist in storage '{Uri}'", full);
        }

        return Task.FromResult<Stream>(new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous));
    }

    public Task<IPendingFile> CreateAsync(string path, CancellationToken cancellationToken = default)
    {
        string full = Full(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = $"{full}{TempMarker}{Guid.NewGuid():N}";
        return Task.FromResult<IPendingFile>(new PendingLocalFile(temp, full));
    }

    public async IAsyncEnumerable<StorageEntry> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string full = Full(prefix);
        if (File.Exists(full))
        {
            yield return new StorageEntry(prefix, new FileInfo(full).Length);
            yield break;
        }

        if (!Directory.Exists(full))
        {
            yield break;
        }

        foreach (string file in Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (file.Contains(TempMarker, StringComparison.Ordinal) || file.EndsWith(".lock", StringComparison.Ordinal))
            {
                continue;
            }

            yield return new StorageEntry(Path.GetRelativePath(root, file).Replace('\\', '/'), new FileInfo(file).Length);
        }

        await Task.CompletedTask;
    }

    public Task DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        string full = Full(path);
        if (File.Exists(full))
        {
            File.Delete(full);
        }
        else if (Directory.Exists(full))
        {
            Directory.Delete(full, recursive: true);
        }

        return Task.CompletedTask;
    }

    public Task<int> DiscardUncommittedAsync(string prefix, CancellationToken cancellationToken = default)
    {
        string full = Full(prefix);
        if (!Directory.Exists(full))
        {
            return Task.FromResult(0);
        }

        int removed = 0;
        foreach (string file in Directory.EnumerateFiles(full, $"*{TempMarker}*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            File.Delete(file);
            removed++;
        }

        return Task.FromResult(removed);
    }

    public async Task<IAsyncDisposable> AcquireLockAsync(string path, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        string full = Full(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var deadline = wait == Timeout.InfiniteTimeSpan ? DateTime.MaxValue : DateTime.UtcNow + wait;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var stream = new FileStream(full, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                stream.SetLength(0);
                stream.Write(System.Text.Encoding.UTF8.GetBytes($"{Environment.ProcessId}\n"));
                stream.Flush();
                return new LocalLock(stream);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
            catch (IOException)
            {
                throw new StorageLockTimeoutException(
                    $"'{path}' in storage '{Uri}' is locked by another run (waited {wait.TotalSeconds:0} s); wait for it to finish or use other storage");
            }
        }
    }

    public Task<string> MaterializeAsync(string path, CancellationToken cancellationToken = default) => Task.FromResult(Full(path));

    private string Full(string path)
    {
        string full = Path.GetFullPath(Path.Combine(root, path));
        if (!full.StartsWith(root, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{path}' leaves the storage root", nameof(path));
        }

        return full;
    }

    private sealed class PendingLocalFile(string temp, string target) : IPendingFile
    {
        private readonly FileStream stream = new(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        private bool committed;

        public Stream Stream => field ??= new CommitOnlyStream(stream);

        public async Task CommitAsync(CancellationToken cancellationToken = default)
        {
            await stream.FlushAsync(cancellationToken);
            stream.Flush(flushToDisk: true);
            await stream.DisposeAsync();
            File.Move(temp, target, overwrite: true);
            committed = true;
        }

        public async ValueTask DisposeAsync()
        {
            await stream.DisposeAsync();
            if (!committed && File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    private sealed class LocalLock(FileStream stream) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => stream.DisposeAsync();
    }
}
