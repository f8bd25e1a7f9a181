using System.Runtime.CompilerServices;
using AlignmentPipeline.Core.Storage;
using Parquet;
using Parquet.Schema;

namespace AlignmentPipeline.Data.Tables;

/// <summary>
/// Streams the rows of Parquet files in storage, one row group in memory at a time: each column chunk is read whole
/// into a typed array and rows index into those arrays.
/// </summary>
public static class ParquetTableReader
{
    public static async IAsyncEnumerable<TableRow> ReadAsync(IStorage storage, string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var stream = await storage.OpenReadAsync(path, cancellationToken);
        await using var reader = await ParquetReader.CreateAsync(stream, TableFiles.Options, cancellationToken: cancellationToken);
        var fields = reader.Schema.GetDataFields();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            int rows = checked((int)group.RowCount);
            var columns = new Dictionary<string, Array>(StringComparer.Ordinal);
            foreach (var field in fields)
            {
                columns[field.Name] = await ReadColumnAsync(group, field, rows, cancellationToken);
            }

            for (int i = 0; i < rows; i++)
            {
                yield return new TableRow(columns, i);
            }
        }
    }

    /// <summary>Rows of several files in order (for example all parts of a stage output).</summary>
    public static async IAsyncEnumerable<TableRow> ReadAllAsync(IStorage storage, IEnumerable<string> paths, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (string path in paths)
        {
            await foreach (var row in ReadAsync(storage, path, cancellationToken))
            {
                yield return row;
            }
        }
    }

    /// <summary>Total rows of a file, from its footer.</summary>
    public static async Task<long> CountAsync(IStorage storage, string path, CancellationToken cancellationToken = default)
    {
        await using var stream = await storage.OpenReadAsync(path, cancellationToken);
        await using var reader = await ParquetReader.CreateAsync(stream, TableFiles.Options, cancellationToken: cancellationToken);
        long total = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            total += group.RowCount;
        }

        return total;
    }

    private static async Task<Array> ReadColumnAsync(ParquetRowGroupReader group, DataField field, int rows, CancellationToken cancellationToken)
    {
        var type = field.ClrType;
        if (type == typeof(string) || type == typeof(ReadOnlyMemory<char>))
        {
            var values = new string?[rows];
            await group.ReadAsync(field, values.AsMemory(), cancellationToken: cancellationToken);
            return values;
        }

        if (type == typeof(byte[]) || type == typeof(ReadOnlyMemory<byte>))
        {
            var values = new byte[]?[rows];
            await group.ReadAsync(field, values.AsMemory(), cancellationToken: cancellationToken);
            return values;
        }

        if (type == typeof(long))
        {
            return await ReadValuesAsync<long>(group, field, rows, cancellationToken);
        }

        if (type == typeof(int))
        {
            return await ReadValuesAsync<int>(group, field, rows, cancellationToken);
        }

        if (type == typeof(double))
        {
            return await ReadValuesAsync<double>(group, field, rows, cancellationToken);
        }

        if (type == typeof(float))
        {
            return await ReadValuesAsync<float>(group, field, rows, cancellationToken);
        }

        if (type == typeof(bool))
        {
            return await ReadValuesAsync<bool>(group, field, rows, cancellationToken);
        }

        throw new InvalidDataException($"column '{field.Name}' has unsupported type {type.Name}");
    }

    private static async Task<T[]> ReadValuesAsync<T>(ParquetRowGroupReader group, DataField field, int rows, CancellationToken cancellationToken)
        where T : struct
    {
        var values = new T[rows];
        if (field.IsNullable)
        {
            var nullable = new T?[rows];
            await group.ReadAsync(field, nullable.AsMemory(), cancellationToken: cancellationToken);
            for (int i = 0; i < rows; i++)
            {
                values[i] = nullable[i] ?? default;
            }
        }
        else
        {
            await group.ReadAsync(field, values.AsMemory(), cancellationToken: cancellationToken);
        }

        return values;
    }
}
