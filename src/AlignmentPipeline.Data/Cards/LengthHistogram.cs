using System.Globalization;
using System.Text.Json.Nodes;

namespace AlignmentPipeline.Data.Cards;

/// <summary>
/// Lengths of one text field in characters (UTF-16 code units), counted into fixed bins whose lower edges run
/// 0, 1, 2, 5, 10, 20, 50 … 10,000,000 (the last bin is open). Fixed edges make the histograms of separate tasks
/// mergeable by adding counts, so no task needs another task's rows.
/// </summary>
internal sealed class LengthHistogram
{
    /// <summary>Lower edge of every bin, ascending.</summary>
    internal static readonly long[] Edges = [0, .. Enumerable.Range(0, 7).SelectMany(d => new[] { 1L, 2, 5 }.Select(m => m * (long)Math.Pow(10, d))), 10_000_000];

    private readonly long[] counts = new long[Edges.Length];

    public long Rows { get; private set; }

    /// <summary>The shortest length seen (0 when there are no rows).</summary>
    public long Min { get; private set; }

    public long Max { get; private set; }

    /// <summary>Sum of all lengths.</summary>
    public long Total { get; private set; }

    public double Mean => Rows == 0 ? 0 : (double)Total / Rows;

    public IReadOnlyList<long> Counts => counts;

    public void Add(int length)
    {
        Min = Rows == 0 ? length : Math.Min(Min, length);
        Max = Math.Max(Max, length);
        Rows++;
        Total += length;
        counts[Bin(length)]++;
    }

    public void Merge(LengthHistogram other)
    {
        if (other.Rows == 0)
        {
            return;
        }

        Min = Rows == 0 ? other.Min : Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
        Rows += other.Rows;
        Total += other.Total;
        for (int i = 0; i < counts.Length; i++)
        {
            counts[i] += other.counts[i];
        }
    }

    /// <summary>The bin of a length: the last edge not above it.</summary>
    internal static int Bin(long length)
    {
        int found = Array.BinarySearch(Edges, length);
        return found >= 0 ? found : ~found - 1;
    }

    /// <summary>The lengths a bin holds, e.g. <c>0</c>, <c>2–4</c>, <c>≥ 10000000</c>.</summary>
    internal static string Label(int bin)
    {
        if (bin == Edges.Length - 1)
        {
            return string.Create(CultureInfo.InvariantCulture, $"≥ {Edges[bin]}");
        }

        long low = Edges[bin], high = Edges[bin + 1] - 1;
        return low == high ? low.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{low}–{high}");
    }

    public JsonObject ToJson() => new()
    {
        ["rows"] = Rows,
        ["min"] = Min,
        ["max"] = Max,
        ["total"] = Total,
        ["bins"] = new JsonArray(counts.Select(c => (JsonNode)c).ToArray()),
    };

    public static LengthHistogram FromJson(JsonNode json)
    {
        var histogram = new LengthHistogram
        {
            Rows = json["rows"]!.GetValue<long>(),
            Min = json["min"]!.GetValue<long>(),
            Max = json["max"]!.GetValue<long>(),
            Total = json["total"]!.GetValue<long>(),
        };
        var bins = json["bins"]!.AsArray();
        for (int i = 0; i < bins.Count; i++)
        {
            histogram.counts[i] = bins[i]!.GetValue<long>();
        }

        return histogram;
    }
}
