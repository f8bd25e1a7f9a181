namespace AlignmentPipeline.Core.Configuration;

/// <summary>
/// Marks a string (or list of strings) option that names either another stage of the pipeline or a file/directory on
/// local disk. A stage name becomes a dependency (its fingerprint enters this stage's fingerprint); a path must exist
/// before the run starts and its content hash enters the fingerprint, so the path itself does not matter unless
/// <see cref="PathInFingerprint"/> is set.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PathOrStageAttribute : Attribute
{
    /// <summary>Paths may contain <c>*</c>, <c>?</c> and <c>**</c>; a glob must match at least one file.</summary>
    public bool AllowGlob { get; init; }

    /// <summary>Whether a stage name is accepted (false: only paths).</summary>
    public bool AllowStage { get; init; } = true;

    /// <summary>Include the path as written in the fingerprint (when outputs record it, e.g. a row's source file).</summary>
    public bool PathInFingerprint { get; init; }
}
