using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Evaluation.Stages;

namespace AlignmentPipeline.Evaluation;

/// <summary>Every stage kind of the evaluation project, for registration in a <see cref="StageRegistry"/>.</summary>
public static class EvaluationStageKinds
{
    /// <summary>The evaluation stage kinds: <c>generate</c> and <c>evaluate</c>.</summary>
    public static IReadOnlyList<StageKind> All { get; } = [GenerateStage.Kind, EvaluateStage.Kind];
}
