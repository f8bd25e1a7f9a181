using Parquet.Schema;

namespace AlignmentPipeline.Data.Tables;

/// <summary>One column of a <see cref="TableSchema{T}"/>: its name, its Parquet field and a typed buffer for a writer.</summary>
internal abstract class TableColumn<T>(string name)
{
    public string Name { get; } = name;

    public abstract DataField NewField();

    /// <summary>A buffer that gathers this column's values for one row group at a time (one per writer).</summary>
    public abstract ColumnBuffer<T> NewBuffer();
}

// A bare null in `cond ? text.AsMemory() : null` converts through ReadOnlyMemory's implicit conversion from arrays
// to an empty memory, turning null into empty; hence default(ReadOnlyMemory<char>?) below.

/// <summary>A nullable string column.</summary>
internal sealed class StringColumn<T>(string name, Func<T, string?> get) : TableColumn<T>(name)
{
    public override DataField NewField() => new(Name, typeof(string), isNullable: true);

    public override ColumnBuffer<T> NewBuffer() => new ArenaColumnBuffer<T, char>(r => get(r) is { } text ? text.AsMemory() : default(ReadOnlyMemory<char>?));
}

/// <summary>A nullable binary column.</summary>
internal sealed class BytesColumn<T>(string name, Func<T, byte[]?> get) : TableColumn<T>(name)
{
    public override DataField NewField() => new(Name, typeof(byte[]), isNullable: true);

    public override ColumnBuffer<T> NewBuffer() => new ArenaColumnBuffer<T, byte>(r => get(r) is { } bytes ? bytes.AsMemory() : default(ReadOnlyMemory<byte>?));
}

/// <summary>A non-nullable column of a primitive type.</summary>
internal sealed class ValueColumn<T, TValue>(string name, Func<T, TValue> get) : TableColumn<T>(name)
    where TValue : struct
{
    public override DataField NewField() => new(Name, typeof(TValue));

    public override ColumnBuffer<T> NewBuffer() => new ValueColumnBuffer<T, TValue>(get);
}
