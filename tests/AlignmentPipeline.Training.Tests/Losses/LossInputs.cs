using AlignmentPipeline.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Tests.Losses;

/// <summary>Builds float64 preference batches for loss tests.</summary>
internal static class LossInputs
{
    /// <summary>
    /// The worked example used by the hand-computed tests: π_c = −10, π_r = −12, ref_c = ref_r = −11, n_c = 4, n_r = 2.
    /// So π_c − ref_c = 1, π_r − ref_r = −1 and z = (π_c − π_r) − (ref_c − ref_r) = 2.
    /// </summary>
    public static PreferenceLogps WorkedExample(bool requiresGrad = false) =>
        Batch([-10.0], [-12.0], [-11.0], [-11.0], [4], [2], requiresGrad);

    public static PreferenceLogps Batch(
        double[] policyChosen, double[] policyRejected, double[]? referenceChosen, double[]? referenceRejected,
        long[] chosenTokens, long[] rejectedTokens, bool requiresGrad = false) =>
        new(
            torch.tensor(policyChosen, ScalarType.Float64).requires_grad_(requiresGrad),
            torch.tensor(policyRejected, ScalarType.Float64).requires_grad_(requiresGrad),
            referenceChosen is null ? null : torch.tensor(referenceChosen, ScalarType.Float64),
            referenceRejected is null ? null : torch.tensor(referenceRejected, ScalarType.Float64),
            torch.tensor(chosenTokens),
            torch.tensor(rejectedTokens));

    public static double[] ToArray(Tensor t) => t.to_type(ScalarType.Float64).data<double>().ToArray();

    public static double Single(Tensor t) => t.to_type(ScalarType.Float64).item<double>();
}
