using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Losses;

/// <summary>The log-ratios and implicit rewards shared by the reference-based losses.</summary>
internal static class ImplicitRewards
{
    /// <summary>Policy-minus-reference log-ratios of chosen and rejected, each shape (B).</summary>
    public static (Tensor Chosen, Tensor Rejected) LogRatios(PreferenceLogps logps, string lossName)
    {
        var chosen = logps.PolicyChosen - logps.RequireReferenceChosen(lossName); // (B)
        var rejected = logps.PolicyRejected - logps.RequireReferenceRejected(lossName); // (B)
        return (chosen, rejected);
    }

    /// <summary>
    /// The DPO logits (π_c − π_r) − (ref_c − ref_r), shape (B): how much more the policy prefers chosen over rejected
    /// than the reference does.
    /// </summary>
    public static Tensor Logits(Tensor chosenLogRatios, Tensor rejectedLogRatios) => chosenLogRatios - rejectedLogRatios;

    /// <summary>β·(π − π_ref) for chosen and rejected, detached, each shape (B).</summary>
    public static PreferenceLossOutput WithRewards(Tensor losses, Tensor chosenLogRatios, Tensor rejectedLogRatios, double beta) =>
        new(
            losses.MoveToOuterDisposeScope(),
            (beta * chosenLogRatios).detach().MoveToOuterDisposeScope(),
            (beta * rejectedLogRatios).detach().MoveToOuterDisposeScope());
}
