using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using AlignmentPipeline.Core.Configuration;

namespace AlignmentPipeline.Data.Ingest;

/// <summary>Options of <c>kind: ingest</c>.</summary>
public sealed record IngestOptions
{
    [Required]
    [Description("Input files, directories or globs (relative to the current directory). Each file becomes one task and one part.")]
    [PathOrStage(AllowGlob = true, AllowStage = false, PathInFingerprint = true)]
    public IReadOnlyList<string> Inputs { get; init; } = [];

    [Description("Row layout: 'canonical' (prompt/chosen/rejected strings). Default: canonical.")]
    public IngestFormat Format { get; init; } = IngestFormat.Canonical;

    [Description("Maps canonical field names to the names in the source, e.g. {prompt: question, chosen: good}. Default: none.")]
    public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>();

    [Description("Rows per Parquet row group. Default: 50000.")]
    [Range(1, 10_000_000)]
    public int RowGroupRows { get; init; } = 50_000;
}
