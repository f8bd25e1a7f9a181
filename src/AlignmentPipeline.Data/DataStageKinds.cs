using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data.Ingest;

namespace AlignmentPipeline.Data;

/// <summary>The data stage kinds, for registration.</summary>
public static class DataStageKinds
{
    public static IReadOnlyList<StageKind> All { get; } = [IngestStage.Kind];
}
