using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Optimization;

/// <summary>How a micro-batch's per-example losses become the loss to back-propagate under gradient accumulation.</summary>
internal static class GradientAccumulation
{
    /// <summary>
    /// sum(losses) / examplesInOptimizerStep: summing the gradients of these over all micro-batches of one optimizer
    /// step gives exactly the gradient of the mean loss over the whole step, even when micro-batches differ in size
    /// (a mean per micro-batch divided by the number of micro-batches would not).
    /// </summary>
    public static Tensor MicroBatchLoss(Tensor perExampleLosses, int examplesInOptimizerStep)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(examplesInOptimizerStep);
        return perExampleLosses.sum() / examplesInOptimizerStep; // ()
    }
}
