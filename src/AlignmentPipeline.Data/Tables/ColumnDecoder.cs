using System.Buffers;
using System.Text;
using Parquet;
using Parquet.Schema;

namespace AlignmentPipeline.Data.Tables;

/// <summary>
/// Reads one column chunk of a row group into a typed array (<c>string?[]</c>, <c>byte[]?[]</c>, <c>long[]</c>,
/// <c>int[]</c>, <c>double[]</c>, <c>float[]</c> or <c>bool[]</c>). Strings are read as raw UTF-8 values through a
/// binary twin of their field and decoded here: Parquet.Net 6.1's string path decodes each value into a fresh
/// <c>char[]</c> and then copies it into a string, which made string decoding twice as costly.
/// </summary>
internal static class ColumnDecoder
{
    /// <summary>Values up to this many bytes that repeat the previous value share its string (dictionary-like columns such as <c>format</c>).</summary>
    private const int ShareBelowBytes = 64;

    /// <summary>
    /// The field to read <paramref name="field"/> with: a binary twin (attached to <paramref name="twins"/>) for string
    /// and binary columns, the field itself otherwise.
    /// </summary>
    public static DataField ReadField(DataField field, IReadOnlyDictionary<string, DataField> twins) =>
        twins.TryGetValue(field.Name, out var twin) ? twin : field;

    /// <summary>Binary twins of the string and binary columns among <paramref name="fields"/>, by name, attached to a schema of their own.</summary>
    public static IReadOnlyDictionary<string, DataField> BinaryTwins(IReadOnlyList<DataField> fields)
    {
        var variable = fields.Where(IsVariableLength).ToList();
        if (variable.Count == 0)
        {
            return new Dictionary<string, DataField>(StringComparer.Ordinal);
        }

        var twins = new ParquetSchema(variable.Select(f => (Field)new DataField(f.Name, typeof(byte[]), f.IsNullable)).ToArray()).GetDataFields();
        return twins.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>Reads <paramref name="field"/> (as read through <paramref name="readAs"/>) for all <paramref name="rows"/> rows of the group.</summary>
    public static async Task<Array> ReadAsync(ParquetRowGroupReader group, DataField field, DataField readAs, int rows, CancellationToken cancellationToken)
    {
        var type = field.ClrType;
        if (type == typeof(string) || type == typeof(ReadOnlyMemory<char>))
        {
            var strings = new string?[rows];
            await ReadVariableAsync(group, readAs, rows, strings, Utf8Strings(), cancellationToken);
            return strings;
        }

        if (type == typeof(byte[]) || type == typeof(ReadOnlyMemory<byte>))
        {
            var bytes = new byte[]?[rows];
            // A copy per value: dictionary-encoded files share one decoded array between rows.
            await ReadVariableAsync(group, readAs, rows, bytes, value => value.ToArray(), cancellationToken);
            return bytes;
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

    private static bool IsVariableLength(DataField field) =>
        field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>) ||
        field.ClrType == typeof(byte[]) || field.ClrType == typeof(ReadOnlyMemory<byte>);

    /// <summary>
    /// Raw values and definition levels of a flat binary column, each non-null value converted by <paramref name="convert"/>
    /// into <paramref name="target"/> at its row (nulls stay null).
    /// </summary>
    private static async Task ReadVariableAsync<T>(ParquetRowGroupReader group, DataField readAs, int rows, T?[] target, Func<ReadOnlyMemory<byte>, T> convert, CancellationToken cancellationToken)
        where T : class
    {
        // Pooled: at tens of thousands of rows these are large-object arrays, and a fresh pair per column chunk made
        // the collector run full collections.
        var raw = ArrayPool<ReadOnlyMemory<byte>>.Shared.Rent(rows);
        int[]? levels = readAs.MaxDefinitionLevel > 0 ? ArrayPool<int>.Shared.Rent(rows) : null;
        try
        {
            await group.ReadRawAsync<ReadOnlyMemory<byte>>(readAs, raw.AsMemory(0, rows), levels?.AsMemory(0, rows), null, cancellationToken);
            int next = 0;
            for (int i = 0; i < rows; i++)
            {
                target[i] = levels is null || levels[i] == readAs.MaxDefinitionLevel ? convert(raw[next++]) : null;
            }
        }
        finally
        {
            ArrayPool<ReadOnlyMemory<byte>>.Shared.Return(raw, clearArray: true);
            if (levels is not null)
            {
                ArrayPool<int>.Shared.Return(levels);
            }
        }
    }

    /// <summary>A UTF-8 decoder that lets a short value equal to the one before share its string.</summary>
    private static Func<ReadOnlyMemory<byte>, string> Utf8Strings()
    {
        ReadOnlyMemory<byte> previousBytes = default;
        string? previous = null;
        return bytes =>
        {
            if (previous is not null && bytes.Length <= ShareBelowBytes && bytes.Span.SequenceEqual(previousBytes.Span))
            {
                return previous;
            }

            previousBytes = bytes;
            return previous = Encoding.UTF8.GetString(bytes.Span);
        };
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
