namespace AlignmentPipeline.Training.Metrics;

/// <summary>A warning that a DPO loss is stuck at ln 2, i.e. the policy is not moving away from the reference.</summary>
/// <param name="FirstStep">First step of the plateau.</param>
/// <param name="LastStep">Step at which the warning fired.</param>
/// <param name="LikelyCauses">Likely causes, the ones the logged numbers point at first.</param>
public sealed record PlateauWarning(long FirstStep, long LastStep, IReadOnlyList<string> LikelyCauses)
{
    /// <summary>The full warning text for logs.</summary>
    public string Message =>
        $"DPO loss stayed at ln 2 = 0.6931 (±{DpoLossPlateauDetector.DefaultTolerance:0e0}) from step {FirstStep} to {LastStep} " +
        "with a non-zero learning rate: the policy's rewards are not separating from the reference. Likely causes:" +
        string.Concat(LikelyCauses.Select(c => Environment.NewLine + "  - " + c));
}
