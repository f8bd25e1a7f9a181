using System.Text.Json.Nodes;

namespace AlignmentPipeline.Data.Dedup;

/// <summary>Sizes of near-duplicate clusters (size ≥ 2), counted one dropped row at a time, and their power-of-two histogram.</summary>
internal sealed class ClusterSizes
{
    private readonly Dictionary<int, int> sizes = [];

    /// <summary>Counts one more row in the cluster whose survivor is <paramref name="survivor"/>.</summary>
    public void Add(int survivor) => sizes[survivor] = sizes.GetValueOrDefault(survivor, 1) + 1;

    public JsonObject ToJson()
    {
        var histogram = new SortedDictionary<int, int>();
        foreach (int size in sizes.Values)
        {
            int bin = 2;
            while (bin * 2 <= size)
            {
                bin *= 2;
            }

            histogram[bin] = histogram.GetValueOrDefault(bin) + 1;
        }

        return new JsonObject
        {
            ["clusters"] = sizes.Count,
            ["rows_in_clusters"] = sizes.Values.Sum(),
            ["max_cluster_size"] = sizes.Count == 0 ? 0 : sizes.Values.Max(),
            ["cluster_size_histogram"] = new JsonObject(histogram.Select(h => KeyValuePair.Create($"{h.Key}-{h.Key * 2 - 1}", (JsonNode?)h.Value))),
        };
    }
}
