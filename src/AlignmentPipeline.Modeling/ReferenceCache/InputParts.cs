using AlignmentPipeline.Core.Stages;

namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>
/// The data parts of an upstream output: every <c>.parquet</c> file outside <c>quarantine/</c>, in file order, with
/// the subfolder it sits in (<c>train/part-00000.parquet</c> → split <c>train</c>; top-level parts → empty split).
/// </summary>
internal static class InputParts
{
    public static IReadOnlyList<(string Path, string Split)> Of(StageOutput output) =>
        output.Files
            .Where(f => f.EndsWith(".parquet", StringComparison.Ordinal) && !f.StartsWith("quarantine/", StringComparison.Ordinal))
            .Select(f => (output.Path(f), f.Contains('/') ? f[..f.LastIndexOf('/')] : ""))
            .ToList();
}
