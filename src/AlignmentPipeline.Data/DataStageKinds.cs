using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data.Dedup;
using AlignmentPipeline.Data.Ingest;

namespace AlignmentPipeline.Data;

/// <summary>Every stage kind of the data project, for registration in a <see cref="StageRegistry"/>.</summary>
public static class DataStageKinds
{
    /// <summary>The data stage kinds with their built-in options (custom pair filters: see the filter stage).</summary>
    public static IReadOnlyList<StageKind> All { get; } = [IngestStage.Kind, DedupStage.Kind];
}
