using AlignmentPipeline.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Tests.Losses;

public sealed class LossPropertyTests
{
    private static readonly string[] AllNames = PreferenceLossRegistry.All.Select(d => d.Name).ToArray();

    public static TheoryData<string> LossNames() => new(AllNames);

    private static IPreferenceLoss Build(string name, PreferenceLossOptions options, RunningRewardMean? mean = null) =>
        PreferenceLossRegistry.Find(name)!.Create(options, mean ?? new RunningRewardMean());

    [Theory]
    [MemberData(nameof(LossNames))]
    public void Tensor_losses_match_a_naive_scalar_implementation_on_random_inputs(string name)
    {
        using var scope = torch.NewDisposeScope();
        var random = new Random(1234 + name.Length);
        const int B = 64;
        double Uniform(double lo, double hi) => lo + (hi - lo) * random.NextDouble();
        var chosenTokens = Enumerable.Range(0, B).Select(_ => (long)random.Next(1, 200)).ToArray();
        var rejectedTokens = Enumerable.Range(0, B).Select(_ => (long)random.Next(1, 200)).ToArray();
        // Per-token log-probs in (−4, −0.05) so summed log-probs look like real ones and ORPO's averages stay < 0.
        var pc = chosenTokens.Select(n => n * Uniform(-4, -0.05)).ToArray();
        var pr = rejectedTokens.Select(n => n * Uniform(-4, -0.05)).ToArray();
        var rc = pc.Select(x => x + Uniform(-3, 3)).ToArray();
        var rr = pr.Select(x => x + Uniform(-3, 3)).ToArray();
        var labelSmoothing = PreferenceLossRegistry.Find(name)!.UsesLabelSmoothing ? 0.2 : 0;
        var options = new PreferenceLossOptions { Types = [name], Beta = 0.3, LabelSmoothing = labelSmoothing, SimpoGamma = 0.7, OrpoLambda = 0.25 };
        var mean = new RunningRewardMean();

        var output = Build(name, options, mean).Compute(LossInputs.Batch(pc, pr, rc, rr, chosenTokens, rejectedTokens));

        var actual = LossInputs.ToArray(output.Losses);
        for (var i = 0; i < B; i++)
        {
            var expected = NaiveLosses.Loss(name, pc[i], pr[i], rc[i], rr[i], chosenTokens[i], rejectedTokens[i],
                0.3, labelSmoothing, 0.7, 0.25, mean.Mean);
            Assert.True(Math.Abs(expected - actual[i]) <= 1e-9 * Math.Max(1, Math.Abs(expected)),
                $"{name} example {i}: naive {expected:R}, tensor {actual[i]:R}");
        }
    }

    [Fact]
    public void Dpo_with_policy_equal_to_reference_gives_exactly_ln2_and_zero_margins()
    {
        using var scope = torch.NewDisposeScope();
        var logps = LossInputs.Batch([-31.5, -7.25, -120.0], [-12.0, -40.5, -3.0], [-31.5, -7.25, -120.0], [-12.0, -40.5, -3.0], [10, 3, 50], [5, 20, 1]);
        foreach (var dtype in new[] { ScalarType.Float64, ScalarType.Float32 })
        {
            var typed = logps with
            {
                PolicyChosen = logps.PolicyChosen.to_type(dtype), PolicyRejected = logps.PolicyRejected.to_type(dtype),
                ReferenceChosen = logps.ReferenceChosen!.to_type(dtype), ReferenceRejected = logps.ReferenceRejected!.to_type(dtype),
            };
            var output = new SigmoidLoss(0.1, 0).Compute(typed);
            var expectedLn2 = dtype == ScalarType.Float64 ? Math.Log(2) : (double)MathF.Log(2);
            Assert.All(LossInputs.ToArray(output.Losses), loss => Assert.Equal(expectedLn2, loss));
            Assert.All(LossInputs.ToArray(output.ChosenRewards - output.RejectedRewards), margin => Assert.Equal(0.0, margin));
        }
    }

    [Theory]
    [MemberData(nameof(LossNames))]
    public void Raising_the_chosen_log_prob_lowers_the_loss_and_raising_the_rejected_one_raises_it(string name)
    {
        using var scope = torch.NewDisposeScope();
        var logps = LossInputs.WorkedExample(requiresGrad: true);
        var loss = Build(name, new PreferenceLossOptions { Types = [name] });

        loss.Compute(logps).Losses.sum().backward();

        var chosenGradient = LossInputs.Single(logps.PolicyChosen.grad!);
        Assert.True(chosenGradient < 0, $"{name}: dL/dπ_c = {chosenGradient}");
        if (name == "sft")
        {
            Assert.Null(logps.PolicyRejected.grad); // the NLL term does not depend on the rejected completion
        }
        else
        {
            var rejectedGradient = LossInputs.Single(logps.PolicyRejected.grad!);
            Assert.True(rejectedGradient > 0, $"{name}: dL/dπ_r = {rejectedGradient}");
        }
    }

    [Fact]
    public void Rewards_are_detached_and_equal_beta_times_log_ratios()
    {
        using var scope = torch.NewDisposeScope();
        var output = new SigmoidLoss(0.5, 0).Compute(LossInputs.WorkedExample(requiresGrad: true));
        Assert.False(output.ChosenRewards.requires_grad);
        Assert.True(output.Losses.requires_grad);
        Assert.Equal(0.5, LossInputs.Single(output.ChosenRewards), 1e-12);
        Assert.Equal(-0.5, LossInputs.Single(output.RejectedRewards), 1e-12);
    }

    [Fact]
    public void Reference_based_loss_without_reference_log_probs_says_which_stage_is_missing()
    {
        using var scope = torch.NewDisposeScope();
        var referenceFree = LossInputs.Batch([-10.0], [-12.0], null, null, [4], [2]);
        var error = Assert.Throws<InvalidOperationException>(() => new SigmoidLoss(0.1, 0).Compute(referenceFree));
        Assert.Contains("ref-logprobs", error.Message);
    }

    [Fact]
    public void Orpo_log1mexp_is_accurate_near_zero_and_far_below()
    {
        using var scope = torch.NewDisposeScope();
        double[] xs = [-1e-10, -1e-3, -0.5, -Math.Log(2), -1, -30];
        var actual = LossInputs.ToArray(OrpoLoss.Log1mExp(torch.tensor(xs)));
        for (var i = 0; i < xs.Length; i++)
        {
            // Reference values: log(−expm1(x)) computed with the series expm1(x) ≈ x + x²/2 for tiny x, Math otherwise.
            var expected = xs[i] > -1e-3 ? Math.Log(-(xs[i] + xs[i] * xs[i] / 2 + xs[i] * xs[i] * xs[i] / 6)) : Math.Log(1 - Math.Exp(xs[i]));
            Assert.True(Math.Abs(expected - actual[i]) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"x = {xs[i]}: {expected} vs {actual[i]}");
        }
    }
}
