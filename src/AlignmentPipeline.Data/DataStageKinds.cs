using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data.Decontamination;
using AlignmentPipeline.Data.Dedup;
using AlignmentPipeline.Data.Filters;
using AlignmentPipeline.Data.Ingest;

namespace AlignmentPipeline.Data;

/// <summary>Every stage kind of the data project, for registration in a <see cref="StageRegistry"/>.</summary>
public static class DataStageKinds
{
    /// <summary>The data stage kinds; the filter kind has built-in checks only (custom filters: <see cref="FilterStage.DefineKind"/>).</summary>
    public static IReadOnlyList<StageKind> All { get; } = [IngestStage.Kind, DedupStage.Kind, FilterStage.Kind, DecontaminateStage.Kind];
}
