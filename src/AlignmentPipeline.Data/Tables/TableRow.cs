using System.Text.Json.Nodes;

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

    public string? String(string column) => Column(column) is string?[] strings
        ? strings[Index]
        : throw new InvalidDataException($"column '{column}' is not a string column");

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

    /// <summary>The value of a binary column (null and empty stay distinct).</summary>
    public byte[]? Bytes(string column) => Column(column) is byte[]?[] values
        ? values[Index]
        : throw new InvalidDataException($"column '{column}' is not a binary column");

    /// <summary>The row as a JSON object (byte arrays as base64), columns in file order.</summary>
    public JsonObject ToJson() => new(columns.Select(c => KeyValuePair.Create(c.Key, c.Value.GetValue(Index) switch
    {
        null => null,
        string s => (JsonNode?)s,
        byte[] bytes => Convert.ToBase64String(bytes),
        long l => l,
        int i => i,
        double d => d,
        float f => f,
        bool b => b,
        var other => other.ToString(),
    })));

    private Array Column(string name) =>
        columns.TryGetValue(name, out var column)
            ? column
            : throw new InvalidDataException($"no column '{name}' (columns: {string.Join(", ", columns.Keys)})");
}
