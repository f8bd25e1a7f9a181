using Parquet.Schema;

namespace AlignmentPipeline.Data.Tables;

/// <summary>
/// How records of type <typeparamref name="T"/> map to Parquet columns. Supported column types: string (nullable),
/// long, int, double, bool and byte[].
/// </summary>
public sealed class TableSchema<T>
{
    private readonly List<TableColumn<T>> columns = [];

    public IReadOnlyList<TableColumn<T>> Columns => columns;

    public TableSchema<T> String(string name, Func<T, string?> get) => Add(name, typeof(string), get);

    public TableSchema<T> Long(string name, Func<T, long> get) => Add(name, typeof(long), r => get(r));

    public TableSchema<T> Int(string name, Func<T, int> get) => Add(name, typeof(int), r => get(r));

    public TableSchema<T> Double(string name, Func<T, double> get) => Add(name, typeof(double), r => get(r));

    public TableSchema<T> Bool(string name, Func<T, bool> get) => Add(name, typeof(bool), r => get(r));

    public TableSchema<T> Bytes(string name, Func<T, byte[]?> get) => Add(name, typeof(byte[]), get);

    /// <summary>
    /// Fresh Parquet fields for one writer. Parquet.Net keeps per-write state in its field objects, so writers running
    /// at once must never share them.
    /// </summary>
    internal DataField[] NewFields() => columns.Select(c => (DataField)c.Field.Clone()).ToArray();

    private TableSchema<T> Add(string name, Type type, Func<T, object?> get)
    {
        columns.Add(new TableColumn<T>(name, type, get, new DataField(name, type, isNullable: type == typeof(string) || type == typeof(byte[]) ? true : null)));
        return this;
    }
}

/// <summary>One column: its name, CLR type, how to read it from a record, and its Parquet field.</summary>
public sealed record TableColumn<T>(string Name, Type Type, Func<T, object?> Get, DataField Field);
