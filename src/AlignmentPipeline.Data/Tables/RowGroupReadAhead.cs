using AlignmentPipeline.Core.Storage;
using Parquet;
using Parquet.Schema;

namespace AlignmentPipeline.Data.Tables;

/// <summary>One decoded row group: its columns by name and its row count.</summary>
internal sealed record DecodedRowGroup(IReadOnlyDictionary<string, Array> Columns, int Rows);

/// <summary>
/// Decodes the row groups of one Parquet file ahead of the reader, up to <see cref="MaxAhead"/> at once on thread-pool
/// threads (each with its own stream), and hands them out strictly in file order, so what a reader sees never depends
/// on timing. Memory stays bounded: a group is started only while the groups decoded but not yet handed out hold at
/// most <see cref="AheadBudgetBytes"/> of uncompressed column data (a single group is always allowed).
/// </summary>
internal sealed class RowGroupReadAhead : IAsyncDisposable
{
    /// <summary>Row groups decoding or decoded ahead of the reader: 2, one per core of the machines we target.</summary>
    public const int MaxAhead = 2;

    /// <summary>Uncompressed column bytes (as stored, UTF-8 for strings) that may wait ahead of the reader: 32 MiB (two of the row groups <see cref="ParquetTableWriter{T}"/> writes).</summary>
    public const long AheadBudgetBytes = 32L << 20;

    private readonly IStorage storage;
    private readonly string path;
    private readonly DataField[] fields;
    private readonly IReadOnlyDictionary<string, DataField> twins;
    private readonly long[] groupBytes;
    private readonly Stack<ParquetReader> idleReaders = new();
    private readonly List<ParquetReader> allReaders = [];
    private readonly Queue<(Task<DecodedRowGroup> Task, long Bytes)> pending = new();
    private readonly CancellationTokenSource stop = new();
    private int nextGroup;
    private long pendingBytes;

    private RowGroupReadAhead(IStorage storage, string path, ParquetReader first, DataField[] fields, long[] groupBytes)
    {
        this.storage = storage;
        this.path = path;
        this.fields = fields;
        this.groupBytes = groupBytes;
        twins = ColumnDecoder.BinaryTwins(fields);
        idleReaders.Push(first);
        allReaders.Add(first);
    }

    /// <summary>
    /// Opens <paramref name="path"/> to read the columns named by <paramref name="columns"/> that it has (null: every
    /// column), in file order.
    /// </summary>
    public static async Task<RowGroupReadAhead> OpenAsync(IStorage storage, string path, IReadOnlyCollection<string>? columns, CancellationToken cancellationToken)
    {
        var reader = await OpenReaderAsync(storage, path, cancellationToken);
        try
        {
            var all = reader.Schema.GetDataFields();
            var nested = all.FirstOrDefault(f => f.Path.Length > 1 || f.MaxRepetitionLevel > 0);
            if (nested is not null)
            {
                throw new InvalidDataException($"'{path}': column '{nested.Path}' is nested; table files hold flat columns only");
            }

            var fields = columns is null ? all : all.Where(f => columns.Contains(f.Name)).ToArray();
            var names = fields.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
            var sizes = new long[reader.RowGroupCount];
            for (int g = 0; g < sizes.Length; g++)
            {
                sizes[g] = reader.OpenRowGroupReader(g).RowGroup.Columns
                    .Where(c => c.MetaData?.PathInSchema is [var name] && names.Contains(name))
                    .Sum(c => c.MetaData!.TotalUncompressedSize);
            }

            return new RowGroupReadAhead(storage, path, reader, fields, sizes);
        }
        catch
        {
            await reader.DisposeAsync();
            throw;
        }
    }

    /// <summary>The next row group in file order, or null after the last.</summary>
    public async Task<DecodedRowGroup?> NextAsync(CancellationToken cancellationToken)
    {
        StartAhead();
        if (!pending.TryDequeue(out var next))
        {
            return null;
        }

        var group = await next.Task.WaitAsync(cancellationToken);
        pendingBytes -= next.Bytes;
        StartAhead();
        return group;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        foreach (var (task, _) in pending)
        {
            try
            {
                await task;
            }
            catch (Exception)
            {
                // Abandoned read-ahead: nobody will see its rows or its failure.
            }
        }

        foreach (var reader in allReaders)
        {
            await reader.DisposeAsync();
        }

        stop.Dispose();
    }

    private static async Task<ParquetReader> OpenReaderAsync(IStorage storage, string path, CancellationToken cancellationToken)
    {
        var stream = await storage.OpenReadAsync(path, cancellationToken);
        try
        {
            return await ParquetReader.CreateAsync(stream, TableFiles.Options, leaveStreamOpen: false, cancellationToken);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    private void StartAhead()
    {
        while (nextGroup < groupBytes.Length && pending.Count < MaxAhead
               && (pending.Count == 0 || pendingBytes + groupBytes[nextGroup] <= AheadBudgetBytes))
        {
            int g = nextGroup++;
            pendingBytes += groupBytes[g];
            pending.Enqueue((Task.Run(() => DecodeAsync(g, stop.Token)), groupBytes[g]));
        }
    }

    private async Task<DecodedRowGroup> DecodeAsync(int g, CancellationToken cancellationToken)
    {
        var reader = await RentReaderAsync(cancellationToken);
        try
        {
            var group = reader.OpenRowGroupReader(g);
            int rows = checked((int)group.RowCount);
            var columns = new Dictionary<string, Array>(StringComparer.Ordinal);
            foreach (var field in fields)
            {
                columns[field.Name] = await ColumnDecoder.ReadAsync(group, field, ColumnDecoder.ReadField(field, twins), rows, cancellationToken);
            }

            return new DecodedRowGroup(columns, rows);
        }
        finally
        {
            lock (idleReaders)
            {
                idleReaders.Push(reader);
            }
        }
    }

    /// <summary>An idle reader, or a new one on its own stream (at most <see cref="MaxAhead"/> exist, one per running decode).</summary>
    private async Task<ParquetReader> RentReaderAsync(CancellationToken cancellationToken)
    {
        lock (idleReaders)
        {
            if (idleReaders.TryPop(out var idle))
            {
                return idle;
            }
        }

        var reader = await OpenReaderAsync(storage, path, cancellationToken);
        lock (idleReaders)
        {
            allReaders.Add(reader);
        }

        return reader;
    }
}
