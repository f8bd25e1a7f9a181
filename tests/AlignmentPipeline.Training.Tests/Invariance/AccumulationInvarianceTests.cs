using AlignmentPipeline.Training.Losses;
using AlignmentPipeline.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace AlignmentPipeline.Training.Tests.Invariance;

public sealed class AccumulationInvarianceTests
{
    private const int Examples = 8;
    private const int Tokens = 6;
    private const int Features = 5;

    /// <summary>
    /// A tiny "policy": a linear layer scores each token's feature vector and log σ(score) is that token's log-prob,
    /// so a sequence log-prob is a masked sum over tokens, as from a language model. The objective is RPO
    /// ([sigmoid, sft], weights [1, 0.5]) against fixed reference log-probs, with varying completion lengths.
    /// </summary>
    private static AccumulationSetup CreateSetup(ScalarType dtype)
    {
        torch.manual_seed(5);
        var model = torch.nn.Linear(Features, 1).to(dtype);
        var generator = new torch.Generator(17);
        var chosen = torch.randn([3, Examples, Tokens, Features], generator: generator).to(dtype).DetachFromDisposeScope(); // (S, N, T, F)
        var rejected = torch.randn([3, Examples, Tokens, Features], generator: generator).to(dtype).DetachFromDisposeScope(); // (S, N, T, F)
        var referenceChosen = (-3 - 2 * torch.rand([Examples], generator: generator)).to(dtype).DetachFromDisposeScope(); // (N)
        var referenceRejected = (-3 - 2 * torch.rand([Examples], generator: generator)).to(dtype).DetachFromDisposeScope(); // (N)
        long[] lengths = [6, 1, 4, 5, 2, 6, 3, 4];
        var mask = torch.tensor(lengths).unsqueeze(1).gt(torch.arange(Tokens).unsqueeze(0)).to(dtype).DetachFromDisposeScope(); // (N, T)
        var objective = PreferenceLossRegistry.Create(new PreferenceLossOptions { Types = ["sigmoid", "sft"], Weights = [1.0, 0.5], Beta = 0.5 });

        Tensor SequenceLogps(Tensor features, Tensor index) =>
            (logsigmoid(model.forward(features.index_select(0, index)).squeeze(-1)) * mask.index_select(0, index)).sum(-1); // (n)

        Tensor Losses(int step, int[] indices)
        {
            var index = torch.tensor(indices.Select(i => (long)i).ToArray()); // (n)
            var counts = torch.tensor(indices.Select(i => lengths[i]).ToArray()); // (n)
            var logps = new PreferenceLogps(
                SequenceLogps(chosen[step], index), SequenceLogps(rejected[step], index),
                referenceChosen.index_select(0, index), referenceRejected.index_select(0, index), counts, counts);
            return objective.Compute(logps).Losses; // (n)
        }

        var owned = new CompositeDisposable(model, chosen, rejected, referenceChosen, referenceRejected, mask);
        return new AccumulationSetup(model.named_parameters().ToArray(), Losses, owned);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Whole_batch_of_8_equals_accumulated_micro_batches_within_1e6(int microBatchSize)
    {
        var result = AccumulationInvariance.Compare(
            () => CreateSetup(ScalarType.Float32), Examples, microBatchSize, steps: 3,
            new AdamWOptions { WeightDecay = 0.1 }, learningRate: 1e-2, maxGradNorm: 0.05);

        Assert.True(result.WholeBatchGradNorm > 0.05, $"clipping must be active for the test to cover it (norm {result.WholeBatchGradNorm})");
        Assert.True(result.MaxGradientDifference <= 1e-6, $"max gradient difference {result.MaxGradientDifference:E3}");
        Assert.True(result.MaxParameterDifference <= 1e-6, $"max parameter difference {result.MaxParameterDifference:E3}");
    }

    [Fact]
    public void In_float64_accumulation_matches_to_rounding()
    {
        var result = AccumulationInvariance.Compare(
            () => CreateSetup(ScalarType.Float64), Examples, 1, steps: 3,
            new AdamWOptions { WeightDecay = 0.1 }, learningRate: 1e-2, maxGradNorm: 0.05);

        Assert.True(result.MaxGradientDifference <= 1e-14, $"max gradient difference {result.MaxGradientDifference:E3}");
        Assert.True(result.MaxParameterDifference <= 1e-14, $"max parameter difference {result.MaxParameterDifference:E3}");
    }

    [Fact]
    public void Dividing_by_the_micro_batch_size_instead_of_the_step_size_is_detected()
    {
        // The utility must be able to fail: scale each micro-batch by its own size instead of the step's (a classic
        // accumulation bug) and compare batch 8 against micro-batches of 2 — the gradient is 4× too large.
        using var whole = CreateSetup(ScalarType.Float32);
        using var wrong = CreateSetup(ScalarType.Float32);
        using var wholeOptimizer = AlignmentPipeline.Training.Optimization.AdamW.Create(whole.NamedParameters, new AdamWOptions());
        using var wrongOptimizer = AlignmentPipeline.Training.Optimization.AdamW.Create(wrong.NamedParameters, new AdamWOptions());
        using (var scope = torch.NewDisposeScope())
        {
            GradientAccumulation.MicroBatchLoss(whole.PerExampleLosses(0, Enumerable.Range(0, 8).ToArray()), 8).backward();
            for (var start = 0; start < 8; start += 2)
            {
                GradientAccumulation.MicroBatchLoss(wrong.PerExampleLosses(0, [start, start + 1]), 2).backward();
            }
        }
        var wholeNorm = GradientClipping.ClipByGlobalNorm(wholeOptimizer.Parameters, 0);
        var wrongNorm = GradientClipping.ClipByGlobalNorm(wrongOptimizer.Parameters, 0);
        Assert.Equal(4 * wholeNorm, wrongNorm, 1e-5);
    }

    private sealed class CompositeDisposable(params IDisposable[] items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items)
            {
                item.Dispose();
            }
        }
    }
}
