namespace AlignmentPipeline.Data.Tables;

/// <summary>One row of a Parquet file read back, with typed access by column name.</summary>
public sealed class TableRow
{
    private readonly IReadOnlyDictionary<string, Array> columns;

    internal TableRow(IReadOnlyDictionary<string, Array> columns, int index)
    {
        this.columns = columns;
        Index = index;
    }

    /// <summary>The row's index within its row group.</summary>
    public int Index { get; }

    public bool Has(string column) => columns.ContainsKey(column);

    public string? String(string column) => (string?)Column(column).GetValue(Index);

    public long Long(string column) => Column(column) switch
    {
        long[] longs => longs[Index],
        int[] ints => ints[Index],
        var other => throw new InvalidDataException($"column '{column}' holds {other.GetType().GetElementType()}, not integers"),
    };

    public int Int(string column) => checked((int)Long(column));

    public double Double(string column) => Column(column) switch
    {
        double[] doubles => doubles[Index],
        float[] floats => floats[Index],
        var other => throw new InvalidDataException($"column '{column}' holds {other.GetType().GetElementType()}, not numbers"),
    };

    public bool Bool(string column) => ((bool[])Column(column))[Index];

    public byte[]? Bytes(string column) => (byte[]?)Column(column).GetValue(Index);

    private Array Column(string name) =>
        columns.TryGetValue(name, out var column)
            ? column
            : throw new InvalidDataException($"no column '{name}' (columns: {string.Join(", ", columns.Keys)})");
}
