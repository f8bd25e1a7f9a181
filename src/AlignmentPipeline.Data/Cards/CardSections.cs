using System.Globalization;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data.Dedup;
using AlignmentPipeline.Data.Splits;

namespace AlignmentPipeline.Data.Cards;

/// <summary>The stage-specific parts of the data cards of dedup, filter, decontaminate and split, built from their merged stats.</summary>
internal static class CardSections
{
    /// <summary>The upstream stage, the exact-dedup key and survivor rule, and the per-prompt cap.</summary>
    public static DataCard Dedup(DataCard card, StageContext context, DedupOptions options, JsonObject stats)
    {
        card.Upstream(context.Inputs[0]);
        card.Section("Exact duplicates", ["", "value"],
        [
            ["key", $"`{Snake(options.Key)}` (normalized: NFC, white space collapsed)"],
            ["groups with duplicates", Long(stats["exact_duplicate_groups"])],
        ], "Of each group of rows with the same key, the first in input order survives; the others are dropped as `duplicate`.");
        if (options.MaxPerPrompt is { } cap)
        {
            card.Section("Pairs per prompt", ["", "value"], [["cap", DataCard.Number(cap)]],
                "After exact dedup, pairs beyond the first `max_per_prompt` of each normalized prompt are dropped as `max_per_prompt`.");
        }

        return card;
    }

    /// <summary>The pairs and clusters stages, the MinHash settings and the near-duplicate cluster statistics.</summary>
    public static DataCard NearDedup(DataCard card, StageOutput pairs, StageOutput clusters, JsonObject minhash, JsonObject near)
    {
        long clusterCount = ToLong(near["clusters"]), rowsInClusters = ToLong(near["rows_in_clusters"]);
        var jaccardCheck = minhash["jaccard_check"];
        return card.Upstream(pairs).Upstream(clusters).Section("Near-duplicate clusters", ["", "value"],
            [
                ["MinHash", string.Create(CultureInfo.InvariantCulture,
                    $"{minhash["ngram"]}-{minhash["unit"]} shingles of `{minhash["field"]}`, {minhash["bands"]} bands × {minhash["rows_per_band"]} rows, seed {minhash["seed"]}")],
                ["exact Jaccard check", jaccardCheck is null ? "off" : double.Parse(jaccardCheck.ToJsonString(), CultureInfo.InvariantCulture).ToString("0.###", CultureInfo.InvariantCulture)],
                ["candidate pairs (same LSH bucket)", Long(near["candidate_pairs"])],
                ["candidates rejected by the Jaccard check", Long(near["rejected_by_jaccard"])],
                ["clusters (size ≥ 2)", DataCard.Number(clusterCount)],
                ["rows in clusters", DataCard.Number(rowsInClusters)],
                ["mean cluster size", clusterCount == 0 ? "–" : ((double)rowsInClusters / clusterCount).ToString("0.00", CultureInfo.InvariantCulture)],
                ["largest cluster", Long(near["max_cluster_size"])],
            ], "Rows sharing an LSH bucket are joined into clusters (union-find); the first row of each cluster in input order survives, the others are dropped as `near_duplicate`.")
            .Section("Cluster sizes", ["rows in cluster", "clusters"],
                (near["cluster_size_histogram"] as JsonObject ?? []).Select(h => new[] { h.Key, Long(h.Value) }));
    }

    /// <summary>The upstream stage and how many pairs each filter saw and dropped, in the order they ran.</summary>
    public static DataCard Filter(DataCard card, StageContext context, JsonObject filters) =>
        card.Upstream(context.Inputs[0]).Section("Filters", ["filter", "seen", "dropped"],
            filters.Select(f => new[] { $"`{f.Key}`", Long(f.Value?["seen"]), Long(f.Value?["dropped"]) }),
            "Filters run in this order; a pair dropped by one is not seen by the next.");

    /// <summary>The upstream stage, the evaluation sets and how many of their items matched.</summary>
    public static DataCard Decontaminate(DataCard card, StageContext context, IEnumerable<(string Source, string Identity)> evalSources, long evalItems, long matchedItems, int ngram, double threshold)
    {
        card.Upstream(context.Inputs[0]);
        foreach (var (source, identity) in evalSources)
        {
            card.Source($"eval {source}", identity);
        }

        return card.Section("Decontamination", ["", "value"],
        [
            ["n-gram (words)", DataCard.Number(ngram)],
            ["threshold (share of a prompt's n-grams)", threshold.ToString("0.###", CultureInfo.InvariantCulture)],
            ["eval items", DataCard.Number(evalItems)],
            ["eval items matched by a dropped pair", DataCard.Number(matchedItems)],
        ], "Each dropped pair names the eval item it overlaps in its quarantine detail.");
    }

    /// <summary>The upstream stage and the rows of each split next to its requested fraction.</summary>
    public static DataCard Split(DataCard card, StageContext context, SplitOptions options, IReadOnlyDictionary<string, long> rows)
    {
        long total = rows.Values.Sum();
        return card.Upstream(context.Inputs[0]).Section("Splits", ["split", "rows", "share", "requested"],
            options.Fractions.Keys.Order(StringComparer.Ordinal).Select(split => new[]
            {
                $"`{split}/`", DataCard.Number(rows.GetValueOrDefault(split)),
                total == 0 ? "–" : ((double)rows.GetValueOrDefault(split) / total).ToString("0.000", CultureInfo.InvariantCulture),
                options.Fractions[split].ToString("0.###", CultureInfo.InvariantCulture),
            }),
            $"Each row goes to the split its hash of `{Snake(options.By)}` (seed {options.Seed.ToString(CultureInfo.InvariantCulture)}) falls in, so splits are deterministic and adding rows never moves a row.");
    }

    /// <summary>A count as text, whether the stats hold it as int or long (in memory) or parsed JSON (after a resume).</summary>
    private static string Long(JsonNode? node) => DataCard.Number(ToLong(node));

    private static long ToLong(JsonNode? node) => node is JsonValue value ? long.Parse(value.ToJsonString(), CultureInfo.InvariantCulture) : 0;

    private static string Snake(Enum value) => OptionProperty.SnakeCase(value.ToString());
}
