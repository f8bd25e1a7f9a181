using AlignmentPipeline.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;
using AdamW = AlignmentPipeline.Training.Optimization.AdamW;

namespace AlignmentPipeline.Training.Tests.Invariance;

/// <summary>
/// Runs the same optimizer steps twice, once on whole batches and once as micro-batches with gradient accumulation
/// (forward, <see cref="GradientAccumulation.MicroBatchLoss"/>, backward per micro-batch; then clip and AdamW step
/// once), and reports how far the gradients and weights drift apart. Reusable by trainer tests with real models.
/// </summary>
internal static class AccumulationInvariance
{
    /// <summary>Largest absolute differences seen, and the gradient norms of the last step of each run.</summary>
    public sealed record Result(double MaxGradientDifference, double MaxParameterDifference, double WholeBatchGradNorm, double AccumulatedGradNorm);

    public static Result Compare(
        Func<AccumulationSetup> createSetup, int batchSize, int microBatchSize, int steps,
        AdamWOptions options, double learningRate, double maxGradNorm)
    {
        if (batchSize % microBatchSize != 0)
        {
            throw new ArgumentException($"batch size {batchSize} is not a multiple of the micro-batch size {microBatchSize}.");
        }
        using var whole = createSetup();
        using var accumulated = createSetup();
        using var wholeOptimizer = AdamW.Create(whole.NamedParameters, options);
        using var accumulatedOptimizer = AdamW.Create(accumulated.NamedParameters, options);
        var maxGradientDifference = 0.0;
        var (wholeNorm, accumulatedNorm) = (0.0, 0.0);
        for (var step = 0; step < steps; step++)
        {
            wholeNorm = Backward(whole, wholeOptimizer, step, batchSize, batchSize);
            accumulatedNorm = Backward(accumulated, accumulatedOptimizer, step, batchSize, microBatchSize);
            maxGradientDifference = Math.Max(maxGradientDifference, MaxDifference(
                wholeOptimizer.Parameters.Select(p => p.grad!), accumulatedOptimizer.Parameters.Select(p => p.grad!)));
            GradientClipping.ClipByGlobalNorm(wholeOptimizer.Parameters, maxGradNorm);
            GradientClipping.ClipByGlobalNorm(accumulatedOptimizer.Parameters, maxGradNorm);
            wholeOptimizer.Step(learningRate);
            accumulatedOptimizer.Step(learningRate);
        }
        var maxParameterDifference = MaxDifference(wholeOptimizer.Parameters, accumulatedOptimizer.Parameters);
        return new Result(maxGradientDifference, maxParameterDifference, wholeNorm, accumulatedNorm);
    }

    /// <summary>Accumulates the gradient of one optimizer step; returns its global norm before clipping.</summary>
    private static double Backward(AccumulationSetup setup, AdamW optimizer, int step, int batchSize, int microBatchSize)
    {
        optimizer.ZeroGrad();
        for (var start = 0; start < batchSize; start += microBatchSize)
        {
            using var scope = torch.NewDisposeScope();
            var indices = Enumerable.Range(start, microBatchSize).ToArray();
            var loss = GradientAccumulation.MicroBatchLoss(setup.PerExampleLosses(step, indices), batchSize); // ()
            loss.backward();
        }
        return GradientClipping.ClipByGlobalNorm(optimizer.Parameters, 0);
    }

    private static double MaxDifference(IEnumerable<Tensor> left, IEnumerable<Tensor> right)
    {
        using var scope = torch.NewDisposeScope();
        return left.Zip(right)
            .Select(pair => (pair.First - pair.Second).abs().max().to_type(ScalarType.Float64).item<double>())
            .Max();
    }
}
