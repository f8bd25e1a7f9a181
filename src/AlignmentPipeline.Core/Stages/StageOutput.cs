using System.Text.Json.Nodes;

namespace AlignmentPipeline.Core.Stages;

/// <summary>A completed stage output (its manifest exists), as a downstream stage sees it.</summary>
/// <param name="StageName">The producing stage.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Fingerprint">Its fingerprint.</param>
/// <param name="Prefix">Its folder in storage, e.g. <c>stages/dedup/3f…</c>.</param>
/// <param name="Files">Its published files relative to <paramref name="Prefix"/>, sorted.</param>
/// <param name="Metadata">The metadata its stage recorded in the manifest.</param>
public sealed record StageOutput(string StageName, string Kind, string Fingerprint, string Prefix, IReadOnlyList<string> Files, JsonObject Metadata)
{
    /// <summary>Data parts (<c>part-*.parquet</c>) in task order, as storage paths.</summary>
    public IReadOnlyList<string> Parts => Files
        .Where(f => f.StartsWith("part-", StringComparison.Ordinal) && f.EndsWith(".parquet", StringComparison.Ordinal))
        .Select(Path)
        .ToList();

    /// <summary>
    /// The data parts of one split folder (e.g. <c>train/part-*.parquet</c>) when the output is split into folders;
    /// otherwise every top-level part, so stages read split and unsplit inputs alike.
    /// </summary>
    public IReadOnlyList<string> SplitParts(string split) => IsSplit
        ? Files.Where(f => f.StartsWith(split + "/part-", StringComparison.Ordinal) && f.EndsWith(".parquet", StringComparison.Ordinal)).Select(Path).ToList()
        : Parts;

    /// <summary>Whether the output holds split folders (<c>train/</c>, <c>eval/</c> …) rather than top-level parts.</summary>
    public bool IsSplit => Parts.Count == 0 && Files.Any(f => f.Contains("/part-", StringComparison.Ordinal) && !f.StartsWith("quarantine/", StringComparison.Ordinal));

    /// <summary>The storage path of a file of this output.</summary>
    public string Path(string relative) => $"{Prefix}/{relative}";
}
