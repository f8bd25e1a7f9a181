using AlignmentPipeline.Data.Records;

namespace AlignmentPipeline.Data.Filters;

/// <summary>
/// A filter only decides; the filter stage counts and quarantines. Register custom filters by name with
/// <see cref="FilterStage.DefineKind"/> and list their names under <c>custom:</c>. A filter must be a pure function
/// of the pair (it runs in any task, on any worker, and its output is cached by fingerprint).
/// </summary>
public interface IPairFilter
{
    /// <summary>The name used in YAML (<c>custom: [name]</c>) and in stats.</summary>
    string Name { get; }

    FilterDecision Decide(PreferencePair pair);
}

/// <summary>Keep, or drop with a short stable reason code (counted as <c>dropped.&lt;reason&gt;</c>) and a detail for people.</summary>
public readonly record struct FilterDecision(string? Reason, string? Detail)
{
    public static FilterDecision Keep => default;

    public bool Kept => Reason is null;

    public static FilterDecision Drop(string reason, string? detail = null) => new(reason, detail ?? reason);
}
