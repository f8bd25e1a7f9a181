namespace AlignmentPipeline.Core.Configuration;

/// <summary>A file, directory or glob an option points at on local disk.</summary>
/// <param name="Key">The dotted YAML key it came from.</param>
/// <param name="Written">The value as written (after interpolation).</param>
/// <param name="Files">The absolute files it resolves to, sorted (a directory contributes every file below it).</param>
/// <param name="PathInFingerprint">Whether <paramref name="Written"/> itself enters the fingerprint.</param>
public sealed record ExternalReference(string Key, string Written, IReadOnlyList<string> Files, bool PathInFingerprint);
