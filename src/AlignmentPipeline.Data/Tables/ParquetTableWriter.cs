using AlignmentPipeline.Core.Storage;
using Parquet;
using Parquet.Schema;

namespace AlignmentPipeline.Data.Tables;

/// <summary>
/// Streams records into one Parquet file in storage. Each record's values are copied into typed per-column buffers
/// (no boxing; strings and bytes into reused arenas, so records die young), and a row group is written column chunk by
/// column chunk when it reaches <c>rowGroupRows</c> records or <see cref="MaxRowGroupBytes"/> of buffered values, so
/// memory stays flat however many records pass. A full row group is encoded and compressed on another thread while the
/// caller fills a second set of buffers (two groups at most; the file's bytes do not depend on timing). The file appears
/// only on <see cref="CompleteAsync"/>; disposing without completing discards it.
/// </summary>
public sealed class ParquetTableWriter<T> : IAsyncDisposable
{
    /// <summary>Buffered value bytes (UTF-16 for strings) that end a row group early: 32 MiB.</summary>
    public const long MaxRowGroupBytes = 32L << 20;

    private readonly DataField[] fields;
    private ColumnBuffer<T>[] buffers;
    private ColumnBuffer<T>[] spare;
    private Task flushing = Task.CompletedTask;
    private readonly IPendingFile file;
    private readonly ParquetWriter writer;
    private readonly int rowGroupRows;
    private int buffered;
    private bool writerClosed;

    private ParquetTableWriter(TableSchema<T> schema, DataField[] fields, IPendingFile file, ParquetWriter writer, int rowGroupRows)
    {
        this.fields = fields;
        this.file = file;
        this.writer = writer;
        this.rowGroupRows = rowGroupRows;
        buffers = schema.Columns.Select(c => c.NewBuffer()).ToArray();
        spare = schema.Columns.Select(c => c.NewBuffer()).ToArray();
    }

    /// <summary>Rows in finished row groups (written or being written); every row after <see cref="CompleteAsync"/>.</summary>
    public long RowsWritten { get; private set; }

    /// <summary>Starts a file at <paramref name="path"/>; <paramref name="rowGroupRows"/> caps the rows of a row group (default 50,000).</summary>
    public static async Task<ParquetTableWriter<T>> CreateAsync(IStorage storage, string path, TableSchema<T> schema, int rowGroupRows = 50_000, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rowGroupRows, 1);
        var fields = schema.NewFields();
        var file = await storage.CreateAsync(path, cancellationToken);
        var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), file.Stream, TableFiles.Options, cancellationToken: cancellationToken);
        return new ParquetTableWriter<T>(schema, fields, file, writer, rowGroupRows);
    }

    public async ValueTask WriteAsync(T record, CancellationToken cancellationToken = default)
    {
        long bytes = 0;
        foreach (var buffer in buffers)
        {
            buffer.Add(record);
            bytes += buffer.Bytes;
        }

        buffered++;
        if (buffered >= rowGroupRows || bytes >= MaxRowGroupBytes)
        {
            await StartFlushAsync(cancellationToken);
        }
    }

    /// <summary>Writes what is buffered and publishes the file.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (buffered > 0 || RowsWritten == 0)
        {
            await StartFlushAsync(cancellationToken);
        }

        await flushing;
        writerClosed = true;
        await writer.DisposeAsync();
        await file.CommitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await flushing;
        }
        catch (Exception)
        {
            // The file is being discarded; a failed row group no longer matters.
        }

        if (!writerClosed)
        {
            writerClosed = true;
            await writer.DisposeAsync();
        }

        await file.DisposeAsync();
    }

    /// <summary>Waits for the previous row group to be written, then writes the buffered one in the background.</summary>
    private async Task StartFlushAsync(CancellationToken cancellationToken)
    {
        await flushing;
        (buffers, spare) = (spare, buffers);
        var full = spare;
        RowsWritten += buffered;
        buffered = 0;
        flushing = Task.Run(() => FlushAsync(full, cancellationToken), cancellationToken);
    }

    private async Task FlushAsync(ColumnBuffer<T>[] full, CancellationToken cancellationToken)
    {
        using (var group = writer.CreateRowGroup())
        {
            for (int c = 0; c < fields.Length; c++)
            {
                await full[c].WriteAsync(group, fields[c], cancellationToken);
                full[c].Clear();
            }
        }
    }
}
