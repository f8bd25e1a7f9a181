using System.Text.Json.Nodes;

namespace AlignmentPipeline.Core.Stages;

/// <summary>Rows read, rows written, and rows dropped by reason (each dropped row is kept in quarantine).</summary>
public sealed record StageCounters(long RowsIn, long RowsOut, IReadOnlyDictionary<string, long> Dropped)
{
    public static StageCounters Empty { get; } = new(0, 0, new Dictionary<string, long>());

    public static StageCounters Sum(IEnumerable<StageCounters> parts)
    {
        long rowsIn = 0, rowsOut = 0;
        var dropped = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            rowsIn += part.RowsIn;
            rowsOut += part.RowsOut;
            foreach (var (reason, count) in part.Dropped)
            {
                dropped[reason] = dropped.GetValueOrDefault(reason) + count;
            }
        }

        return new StageCounters(rowsIn, rowsOut, dropped);
    }

    public JsonObject ToJson() => new()
    {
        ["rows_in"] = RowsIn,
        ["rows_out"] = RowsOut,
        ["dropped"] = new JsonObject(Dropped.OrderBy(d => d.Key, StringComparer.Ordinal)
            .Select(d => KeyValuePair.Create(d.Key, (JsonNode?)d.Value))),
    };

    public static StageCounters FromJson(JsonNode json) => new(
        json["rows_in"]!.GetValue<long>(),
        json["rows_out"]!.GetValue<long>(),
        json["dropped"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<long>(), StringComparer.Ordinal));
}
