namespace AlignmentPipeline.Core.Configuration;

/// <summary>A position in a pipeline file, printed as <c>file:line:col</c> (1-based).</summary>
public sealed record SourceLocation(string File, int Line, int Column)
{
    /// <summary>Used for problems that have no position (command-line overrides, environment).</summary>
    public static SourceLocation None(string what) => new(what, 0, 0);

    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}" : File;
}
