using AlignmentPipeline.Core.Configuration;

namespace AlignmentPipeline.Core.Runs;

/// <summary>One stage as <c>align plan</c> shows it: its fingerprint and whether its output already exists.</summary>
public sealed record StagePlan(StageSpec Spec, string Fingerprint, bool Exists);
