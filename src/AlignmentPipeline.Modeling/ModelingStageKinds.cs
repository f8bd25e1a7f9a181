using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Modeling.ReferenceCache;

namespace AlignmentPipeline.Modeling;

/// <summary>Every stage kind of the modeling project, for registration in a <see cref="StageRegistry"/>.</summary>
public static class ModelingStageKinds
{
    /// <summary>The modeling stage kinds: <c>ref-logprobs</c>.</summary>
    public static IReadOnlyList<StageKind> All { get; } = [RefLogProbsStage.Kind];
}
