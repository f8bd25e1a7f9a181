using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace AlignmentPipeline.Data.Dedup;

/// <summary>Options of <c>kind: near-clusters</c> (what is clustered and how is fixed by its <c>minhash</c> input).</summary>
public sealed record NearClustersOptions
{
    [Description("Rows per Parquet row group of near_duplicates.parquet. Default: 50000.")]
    [Range(1, 10_000_000)]
    public int RowGroupRows { get; init; } = 50_000;
}
