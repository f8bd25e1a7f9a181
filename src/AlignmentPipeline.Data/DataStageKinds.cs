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
    public static IReadOnlyList<StageKind> All { get; } = [IngestStage.Kind, DedupStage.Kind, MinHashStage.Kind, NearClustersStage.Kind, NearDedupStage.Kind, FilterStage.Kind, DecontaminateStage.Kind];

    /// <summary>The data stage kinds with a filter kind whose <c>tokenizer</c> option loads tokenizers through <paramref name="tokenizers"/>.</summary>
    public static IReadOnlyList<StageKind> WithTokenizers(TokenCounterLoader tokenizers) =>
        [IngestStage.Kind, DedupStage.Kind, MinHashStage.Kind, NearClustersStage.Kind, NearDedupStage.Kind, FilterStage.DefineKind([], tokenizers), DecontaminateStage.Kind];
}
