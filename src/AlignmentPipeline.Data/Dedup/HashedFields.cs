using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Data.Dedup;

/// <summary>
/// The columns dedup and minhash hash (id, prompt, chosen, rejected): their hashing passes read only these, so the
/// others (source, metadata, format) are never decoded.
/// </summary>
internal static class HashedFields
{
    public static IReadOnlyCollection<string> Columns { get; } = ["id", "prompt", "chosen", "rejected"];

    /// <summary>A pair holding only the hashed fields (source empty, no metadata), read from a row of <see cref="Columns"/>.</summary>
    public static PreferencePair Of(TableRow row) =>
        new(row.String("id")!, row.String("prompt") ?? "", row.String("chosen") ?? "", row.String("rejected") ?? "", "");
}
