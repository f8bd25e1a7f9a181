using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Data.Dedup;

/// <summary>
/// A row of <c>near_duplicates.parquet</c> (written by <c>kind: near-clusters</c>): a row to drop and its cluster's
/// survivor, each by ordinal (position in the input pairs, all parts in order) and id.
/// </summary>
internal sealed record NearDuplicate(long Ordinal, string Id, long SurvivorOrdinal, string SurvivorId)
{
    public const string FileName = "near_duplicates.parquet";

    public static TableSchema<NearDuplicate> Schema { get; } = new TableSchema<NearDuplicate>()
        .Long("ordinal", d => d.Ordinal)
        .String("id", d => d.Id)
        .Long("survivor_ordinal", d => d.SurvivorOrdinal)
        .String("survivor_id", d => d.SurvivorId);

    public static NearDuplicate FromRow(TableRow row) =>
        new(row.Long("ordinal"), row.String("id")!, row.Long("survivor_ordinal"), row.String("survivor_id")!);
}
