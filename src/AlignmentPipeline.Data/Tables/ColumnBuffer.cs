using System.Runtime.CompilerServices;
using Parquet;
using Parquet.Schema;

namespace AlignmentPipeline.Data.Tables;

/// <summary>
/// The values of one column for the row group being gathered by a <see cref="ParquetTableWriter{T}"/>, typed so that no
/// value is boxed, and reused from one row group to the next.
/// </summary>
internal abstract class ColumnBuffer<T>
{
    /// <summary>Bytes of values held, for sizing row groups.</summary>
    public abstract long Bytes { get; }

    public abstract void Add(T record);

    /// <summary>Writes the held values as this column's chunk of <paramref name="group"/>.</summary>
    public abstract Task WriteAsync(ParquetRowGroupWriter group, DataField field, CancellationToken cancellationToken);

    public abstract void Clear();
}

/// <summary>
/// Variable-length values (string characters or bytes) copied into one growing arena, so the records they came from
/// can die young instead of living until the row group is written. Null stays distinct from empty.
/// </summary>
internal sealed class ArenaColumnBuffer<T, TElement>(Func<T, ReadOnlyMemory<TElement>?> get) : ColumnBuffer<T>
    where TElement : unmanaged
{
    private const int NullLength = -1;
    private readonly List<(int Start, int Length)> spans = [];
    private TElement[] arena = new TElement[1 << 12];
    private ReadOnlyMemory<TElement>?[] values = [];
    private int used;

    public override long Bytes => (long)used * Unsafe.SizeOf<TElement>() + spans.Count * 8L;

    public override void Add(T record)
    {
        if (get(record) is not { } value)
        {
            spans.Add((0, NullLength));
            return;
        }

        if (value.Length > arena.Length - used)
        {
            Array.Resize(ref arena, (int)Math.Min(Array.MaxLength, Math.Max(2L * arena.Length, (long)used + value.Length)));
        }

        value.Span.CopyTo(arena.AsSpan(used));
        spans.Add((used, value.Length));
        used += value.Length;
    }

    public override async Task WriteAsync(ParquetRowGroupWriter group, DataField field, CancellationToken cancellationToken)
    {
        if (values.Length < spans.Count)
        {
            values = new ReadOnlyMemory<TElement>?[spans.Count];
        }

        for (int i = 0; i < spans.Count; i++)
        {
            var (start, length) = spans[i];
            values[i] = length == NullLength ? default(ReadOnlyMemory<TElement>?) : arena.AsMemory(start, length);
        }

        await group.WriteAsync<ReadOnlyMemory<TElement>>(field, values.AsMemory(0, spans.Count), cancellationToken: cancellationToken);
    }

    public override void Clear()
    {
        spans.Clear();
        used = 0;
    }
}

/// <summary>Non-nullable primitive values in one reused array.</summary>
internal sealed class ValueColumnBuffer<T, TValue>(Func<T, TValue> get) : ColumnBuffer<T>
    where TValue : struct
{
    private TValue[] values = new TValue[1 << 10];
    private int count;

    public override long Bytes => (long)count * Unsafe.SizeOf<TValue>();

    public override void Add(T record)
    {
        if (count == values.Length)
        {
            Array.Resize(ref values, 2 * values.Length);
        }

        values[count++] = get(record);
    }

    public override Task WriteAsync(ParquetRowGroupWriter group, DataField field, CancellationToken cancellationToken) =>
        group.WriteAsync<TValue>(field, new ReadOnlyMemory<TValue>(values, 0, count), cancellationToken: cancellationToken);

    public override void Clear() => count = 0;
}
