namespace AlignmentPipeline.Evaluation.Reports;

/// <summary>Text layout of a comparison.</summary>
public enum ReportFormat
{
    /// <summary>A markdown table.</summary>
    Markdown,

    /// <summary>Space-aligned columns for a terminal.</summary>
    PlainText,
}
