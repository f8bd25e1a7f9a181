namespace AlignmentPipeline.Core.Configuration;

/// <summary>One problem with a pipeline definition: where, what, and how to fix it.</summary>
public sealed record ConfigError(SourceLocation Location, string Message, string? Fix = null)
{
    public override string ToString() => Fix is null ? $"{Location}: {Message}" : $"{Location}: {Message} ({Fix})";
}
