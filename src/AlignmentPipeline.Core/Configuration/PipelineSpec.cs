namespace AlignmentPipeline.Core.Configuration;

/// <summary>A validated pipeline: stages in dependency order.</summary>
/// <param name="Name">The pipeline's <c>name</c>.</param>
/// <param name="SourceFile">The YAML file it was read from.</param>
/// <param name="Storage">The storage URI from the file (before a command-line override).</param>
/// <param name="Params">Resolved parameters (after <c>--set</c>). Values from the environment are not included.</param>
/// <param name="Stages">Stages in a topological order (inputs before the stages that read them).</param>
public sealed record PipelineSpec(
    string Name,
    string SourceFile,
    string Storage,
    IReadOnlyDictionary<string, string> Params,
    IReadOnlyList<StageSpec> Stages)
{
    public StageSpec Stage(string name) => Stages.First(s => s.Name == name);
}
