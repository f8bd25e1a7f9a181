using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Data.Records;

/// <summary>A row that could not be used, kept with the reason and where it came from. Nothing is dropped silently.</summary>
/// <param name="Source">File and line (or row) of the input, or the id of a pair dropped by a later stage.</param>
/// <param name="Reason">A short, stable reason code (<c>invalid_json</c>, <c>missing_field</c>, <c>too_long</c>…), counted in stats.json.</param>
/// <param name="Detail">What exactly was wrong, for a person.</param>
/// <param name="Raw">The row as read (truncated to <see cref="MaxRawChars"/> characters).</param>
public sealed record QuarantinedRow(string Source, string Reason, string Detail, string? Raw)
{
    public const int MaxRawChars = 65_536;

    public static TableSchema<QuarantinedRow> Schema { get; } = new TableSchema<QuarantinedRow>()
        .String("source", q => q.Source)
        .String("reason", q => q.Reason)
        .String("detail", q => q.Detail)
        .String("raw", q => q.Raw is { Length: > MaxRawChars } raw ? raw[..MaxRawChars] : q.Raw);

    public static QuarantinedRow FromRow(TableRow row) =>
        new(row.String("source")!, row.String("reason")!, row.String("detail") ?? "", row.String("raw"));
}
