using System.Text.Json.Nodes;

namespace AlignmentPipeline.Data.Ingest.Containers;

/// <summary>
/// One row as read from a container, before its fields are interpreted: a JSON value, a problem that makes it
/// unreadable (invalid UTF-8, invalid JSON, a damaged gzip stream), or a blank line (neither).
/// </summary>
/// <param name="Location"><c>file:line</c> for text containers, <c>file:row</c> (1-based) for JSON arrays and Parquet.</param>
/// <param name="Value">The row, or null when it is blank or unreadable.</param>
/// <param name="Raw">The row's text as read, for quarantine.</param>
/// <param name="ProblemReason">A reason code when the row is unreadable.</param>
/// <param name="ProblemDetail">What exactly is wrong with it.</param>
internal sealed record SourceRow(string Location, JsonNode? Value, string? Raw, string? ProblemReason = null, string? ProblemDetail = null)
{
    public bool IsBlank => Value is null && ProblemReason is null;

    public static SourceRow Blank(string location) => new(location, null, null);

    public static SourceRow Problem(string location, string reason, string detail, string? raw) => new(location, null, raw, reason, detail);
}
