using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Training.RewardModel;
using AlignmentPipeline.Training.Stages;

namespace AlignmentPipeline.Training;

/// <summary>Every stage kind of the training project, for registration in a <see cref="StageRegistry"/>.</summary>
public static class TrainingStageKinds
{
    /// <summary><c>sft</c>, <c>dpo</c>, <c>kto</c> and <c>reward-model</c>.</summary>
    public static IReadOnlyList<StageKind> All { get; } = [SftStage.Kind, DpoStage.Kind, KtoStage.Kind, RewardModelStage.Kind];
}
