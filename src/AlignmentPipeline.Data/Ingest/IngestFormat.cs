namespace AlignmentPipeline.Data.Ingest;

/// <summary>How rows of an ingested file are laid out.</summary>
public enum IngestFormat
{
    /// <summary><c>prompt</c>, <c>chosen</c>, <c>rejected</c> strings (optional <c>id</c>).</summary>
    Canonical,
}
