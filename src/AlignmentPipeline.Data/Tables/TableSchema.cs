using Parquet.Schema;

namespace AlignmentPipeline.Data.Tables;

/// <summary>
/// How records of type <typeparamref name="T"/> map to Parquet columns, in order. Supported column types: string
/// (nullable), byte[] (nullable, a Parquet BYTE_ARRAY without a string annotation), long, int, double and bool.
/// </summary>
public sealed class TableSchema<T>
{
    private readonly List<TableColumn<T>> columns = [];

    internal IReadOnlyList<TableColumn<T>> Columns => columns;

    /// <summary>A nullable UTF-8 string column.</summary>
    public TableSchema<T> String(string name, Func<T, string?> get) => Add(new StringColumn<T>(name, get));

    /// <summary>A non-nullable 64-bit integer column.</summary>
    public TableSchema<T> Long(string name, Func<T, long> get) => Add(new ValueColumn<T, long>(name, get));

    /// <summary>A non-nullable 32-bit integer column.</summary>
    public TableSchema<T> Int(string name, Func<T, int> get) => Add(new ValueColumn<T, int>(name, get));

    /// <summary>A non-nullable double column.</summary>
    public TableSchema<T> Double(string name, Func<T, double> get) => Add(new ValueColumn<T, double>(name, get));

    /// <summary>A non-nullable boolean column.</summary>
    public TableSchema<T> Bool(string name, Func<T, bool> get) => Add(new ValueColumn<T, bool>(name, get));

    /// <summary>A nullable binary column (null and empty stay distinct); read back with <see cref="TableRow.Bytes"/>.</summary>
    public TableSchema<T> Bytes(string name, Func<T, byte[]?> get) => Add(new BytesColumn<T>(name, get));

    /// <summary>
    /// Fresh Parquet fields for one writer. Parquet.Net keeps per-write state in its field objects, so writers running
    /// at once must never share them.
    /// </summary>
    internal DataField[] NewFields() => columns.Select(c => c.NewField()).ToArray();

    private TableSchema<T> Add(TableColumn<T> column)
    {
        columns.Add(column);
        return this;
    }
}
