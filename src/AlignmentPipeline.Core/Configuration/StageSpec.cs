using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Stages;

namespace AlignmentPipeline.Core.Configuration;

/// <summary>One validated stage of a pipeline.</summary>
/// <param name="Name">The stage's key under <c>stages:</c>.</param>
/// <param name="Kind">Its registered kind.</param>
/// <param name="Options">The bound, validated options object (of <see cref="StageKind.OptionsType"/>).</param>
/// <param name="Inputs">Stages named by <c>input</c>, in order.</param>
/// <param name="References">Stages named by options marked <see cref="PathOrStageAttribute"/>, by dotted key.</param>
/// <param name="Files">Local files named by such options.</param>
/// <param name="CanonicalOptions">Every option except references, keys sorted; the fingerprint's view of the options.</param>
/// <param name="EnvKeys">Dotted keys whose value came from <c>${env:…}</c>; redacted wherever options are stored.</param>
/// <param name="Location">Where the stage is defined.</param>
public sealed record StageSpec(
    string Name,
    StageKind Kind,
    object Options,
    IReadOnlyList<string> Inputs,
    IReadOnlyDictionary<string, IReadOnlyList<string>> References,
    IReadOnlyList<ExternalReference> Files,
    JsonObject CanonicalOptions,
    IReadOnlySet<string> EnvKeys,
    SourceLocation Location)
{
    /// <summary>Every stage this one reads: inputs first, then referenced stages, without repeats.</summary>
    public IEnumerable<string> Dependencies => Inputs.Concat(References.Values.SelectMany(v => v)).Distinct(StringComparer.Ordinal);

    public T OptionsAs<T>() where T : class => (T)Options;
}
