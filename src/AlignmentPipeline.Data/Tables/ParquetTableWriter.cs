using AlignmentPipeline.Core.Storage;
using Parquet;
using Parquet.Schema;

namespace AlignmentPipeline.Data.Tables;

/// <summary>
/// Streams records into one Parquet file in storage, a row group every <c>rowGroupRows</c> records, so memory stays
/// flat however many records pass. The file appears only on <see cref="CompleteAsync"/>; disposing without completing
/// discards it.
/// </summary>
public sealed class ParquetTableWriter<T> : IAsyncDisposable
{
    private readonly TableSchema<T> schema;
    private readonly DataField[] fields;
    private readonly IPendingFile file;
    private readonly ParquetWriter writer;
    private readonly int rowGroupRows;
    private readonly List<T> buffer;
    private bool writerClosed;

    private ParquetTableWriter(TableSchema<T> schema, DataField[] fields, IPendingFile file, ParquetWriter writer, int rowGroupRows)
    {
        this.schema = schema;
        this.fields = fields;
        this.file = file;
        this.writer = writer;
        this.rowGroupRows = rowGroupRows;
        buffer = new List<T>(Math.Min(rowGroupRows, 1 << 16));
    }

    public long RowsWritten { get; private set; }

    public static async Task<ParquetTableWriter<T>> CreateAsync(IStorage storage, string path, TableSchema<T> schema, int rowGroupRows = 50_000, CancellationToken cancellationToken = default)
    {
        var fields = schema.NewFields();
        var file = await storage.CreateAsync(path, cancellationToken);
        var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), file.Stream, cancellationToken: cancellationToken);
        return new ParquetTableWriter<T>(schema, fields, file, writer, rowGroupRows);
    }

    public async ValueTask WriteAsync(T record, CancellationToken cancellationToken = default)
    {
        buffer.Add(record);
        if (buffer.Count >= rowGroupRows)
        {
            await FlushAsync(cancellationToken);
        }
    }

    /// <summary>Writes what is buffered and publishes the file.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (buffer.Count > 0 || RowsWritten == 0)
        {
            await FlushAsync(cancellationToken);
        }

        writerClosed = true;
        await writer.DisposeAsync();
        await file.CommitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (!writerClosed)
        {
            writerClosed = true;
            await writer.DisposeAsync();
        }

        await file.DisposeAsync();
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        using var group = writer.CreateRowGroup();
        for (int c = 0; c < fields.Length; c++)
        {
            var column = schema.Columns[c];
            var field = fields[c];
            if (column.Type == typeof(string))
            {
                await group.WriteAsync(field, buffer.Select(r => (string?)column.Get(r)).ToArray()!);
            }
            else if (column.Type == typeof(byte[]))
            {
                await group.WriteAsync(field, buffer.Select(r => (byte[]?)column.Get(r)).ToArray()!);
            }
            else if (column.Type == typeof(long))
            {
                await group.WriteAsync(field, new ReadOnlyMemory<long>(buffer.Select(r => (long)column.Get(r)!).ToArray()), cancellationToken: cancellationToken);
            }
            else if (column.Type == typeof(int))
            {
                await group.WriteAsync(field, new ReadOnlyMemory<int>(buffer.Select(r => (int)column.Get(r)!).ToArray()), cancellationToken: cancellationToken);
            }
            else if (column.Type == typeof(double))
            {
                await group.WriteAsync(field, new ReadOnlyMemory<double>(buffer.Select(r => (double)column.Get(r)!).ToArray()), cancellationToken: cancellationToken);
            }
            else
            {
                await group.WriteAsync(field, new ReadOnlyMemory<bool>(buffer.Select(r => (bool)column.Get(r)!).ToArray()), cancellationToken: cancellationToken);
            }
        }

        RowsWritten += buffer.Count;
        buffer.Clear();
    }
}
