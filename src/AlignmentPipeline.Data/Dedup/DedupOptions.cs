using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace AlignmentPipeline.Data.Dedup;

/// <summary>Options of <c>kind: dedup</c>.</summary>
public sealed record DedupOptions
{
    [Description("Exact-duplicate key over normalized text (NFC, white space collapsed): pair, prompt_chosen or prompt. Default: pair.")]
    public DedupKey Key { get; init; } = DedupKey.Pair;

    [Description("Keep at most this many pairs per normalized prompt (the first in input order); applied after exact and near dedup. Default: no limit.")]
    [Range(1, int.MaxValue)]
    public int? MaxPerPrompt { get; init; }

    [Description("Near dedup with MinHash LSH: {ngram, bands, rows_per_band, seed, field, unit, jaccard_check}. Default: off.")]
    public NearDedupOptions? Near { get; init; }

    [Description("Hash partitions of the spill files; each partition is loaded alone, so memory is about rows × 20 B / partitions " +
                 "(× bands for near dedup). Default: 64.")]
    [Range(1, 4096)]
    public int Partitions { get; init; } = 64;

    [Description("Rows per Parquet row group. Default: 50000.")]
    [Range(1, 10_000_000)]
    public int RowGroupRows { get; init; } = 50_000;
}
