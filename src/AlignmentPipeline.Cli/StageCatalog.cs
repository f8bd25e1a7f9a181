using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data;
using AlignmentPipeline.Evaluation;
using AlignmentPipeline.Modeling;
using AlignmentPipeline.Data.Splits;
using AlignmentPipeline.Data.Synthetic;
using AlignmentPipeline.Training;

namespace AlignmentPipeline.Cli;

/// <summary>Every stage kind the <c>align</c> command knows.</summary>
internal static class StageCatalog
{
    public static StageRegistry Create() => new([
        .. DataStageKinds.All,
        SyntheticStage.Kind,
        SplitStage.Kind,
        .. ModelingStageKinds.All,
        .. TrainingStageKinds.All,
        .. EvaluationStageKinds.All,
    ]);
}
