using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace AlignmentPipeline.Data.Dedup;

/// <summary>Options of <c>kind: near-dedup</c> (which rows to drop comes from its <c>near-clusters</c> input).</summary>
public sealed record NearDedupOptions
{
    [Description("Rows per Parquet row group. Default: 50000.")]
    [Range(1, 10_000_000)]
    public int RowGroupRows { get; init; } = 50_000;
}
