using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Data.Records;

/// <summary>The Parquet layout of preference pairs: <c>id, prompt, chosen, rejected, source, metadata, format</c>.</summary>
public static class PreferenceTable
{
    public static TableSchema<PreferencePair> Schema { get; } = new TableSchema<PreferencePair>()
        .String("id", p => p.Id)
        .String("prompt", p => p.Prompt)
        .String("chosen", p => p.Chosen)
        .String("rejected", p => p.Rejected)
        .String("source", p => p.Source)
        .String("metadata", p => p.Metadata)
        .String("format", p => p.Format);

    public static PreferencePair FromRow(TableRow row) => new(
        row.String("id")!,
        row.String("prompt") ?? "",
        row.String("chosen") ?? "",
        row.String("rejected") ?? "",
        row.String("source") ?? "",
        row.Has("metadata") ? row.String("metadata") : null,
        row.Has("format") ? row.String("format") ?? PreferencePair.TextFormat : PreferencePair.TextFormat);
}
