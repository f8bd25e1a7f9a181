using AlignmentPipeline.Data.Records;

namespace AlignmentPipeline.Data.Ingest;

/// <summary>What became of one source row: pairs (usually one) or a quarantine entry.</summary>
public sealed record RowOutcome(IReadOnlyList<PreferencePair> Pairs, QuarantinedRow? Quarantined)
{
    public static RowOutcome Pair(PreferencePair pair) => new([pair], null);

    public static RowOutcome Reject(string source, string reason, string detail, string? raw) =>
        new([], new QuarantinedRow(source, reason, detail, raw));
}
