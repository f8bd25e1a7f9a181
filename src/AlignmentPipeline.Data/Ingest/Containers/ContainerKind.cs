namespace AlignmentPipeline.Data.Ingest.Containers;

/// <summary>How the rows of an input file are stored, independent of their fields (see <see cref="IngestFormat"/>).</summary>
public enum ContainerKind
{
    /// <summary>One JSON object per line (<c>.jsonl</c>, <c>.ndjson</c>), optionally gzipped.</summary>
    Jsonl,

    /// <summary>One top-level JSON array of objects (<c>.json</c> starting with <c>[</c>), optionally gzipped.</summary>
    JsonArray,

    /// <summary>A Parquet file (<c>.parquet</c> or magic <c>PAR1</c>); nested list and struct columns become JSON.</summary>
    Parquet,

    /// <summary>Comma-separated values with a header row (RFC 4180 quoting), optionally gzipped.</summary>
    Csv,

    /// <summary>Tab-separated values with a header row, same quoting as CSV.</summary>
    Tsv,
}
