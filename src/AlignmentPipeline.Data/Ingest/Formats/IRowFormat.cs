using System.Text.Json.Nodes;

namespace AlignmentPipeline.Data.Ingest.Formats;

/// <summary>Interprets the fields of one source row: pairs (usually one) or the reason it cannot be used.</summary>
internal interface IRowFormat
{
    IngestFormat Format { get; }

    RowOutcome Parse(JsonObject row, string source, string raw);
}
