using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.TestSupport;
using AlignmentPipeline.Training.Losses;
using AlignmentPipeline.Training.Metrics;
using AlignmentPipeline.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;
using AdamW = AlignmentPipeline.Training.Optimization.AdamW;

namespace AlignmentPipeline.Training.Tests.Integration;

/// <summary>The losses, optimizer and guard rail on a real model (stories260K) through Modeling's log-prob function.</summary>
public sealed class Stories260KDpoTests
{
    private const int Pairs = 4;

    private static ICausalLanguageModel LoadModel() =>
        ModelLoader.Load(SharedData.RequireFile("models/stories260K/stories260K.bin"), ModelRuntimeOptions.Cpu).Model;

    /// <summary>Seeded token-id pairs: a BOS-led prompt and two completions of different lengths.</summary>
    private static (LogProbRequest[] Chosen, LogProbRequest[] Rejected) Requests(int vocabulary)
    {
        var random = new CapturableRandom(2024);
        int[] Ids(int count) => Enumerable.Range(0, count).Select(_ => random.Next(3, vocabulary)).ToArray();
        var prompts = Enumerable.Range(0, Pairs).Select(i => new[] { 1 }.Concat(Ids(4 + i)).ToArray()).ToArray();
        return (
            prompts.Select((p, i) => new LogProbRequest(p, Ids(6 + i))).ToArray(),
            prompts.Select((p, i) => new LogProbRequest(p, Ids(9 - i))).ToArray());
    }

    private static PreferenceLogps Logps(ICausalLanguageModel policy, LogProbRequest[] chosen, LogProbRequest[] rejected, Tensor referenceChosen, Tensor referenceRejected)
    {
        var policyChosen = CompletionLogProbs.Compute(policy, chosen, LogProbMode.Train);
        var policyRejected = CompletionLogProbs.Compute(policy, rejected, LogProbMode.Train);
        return new PreferenceLogps(
            policyChosen.Sums, policyRejected.Sums, referenceChosen, referenceRejected,
            torch.tensor(policyChosen.TokenCounts.ToArray()), torch.tensor(policyRejected.TokenCounts.ToArray()));
    }

    [Fact]
    public void Policy_as_its_own_reference_starts_at_ln2_and_one_adamw_step_lowers_the_loss()
    {
        using var policy = LoadModel();
        using var scope = torch.NewDisposeScope();
        var (chosen, rejected) = Requests(policy.Config.VocabSize);
        var referenceChosen = CompletionLogProbs.Compute(policy, chosen, LogProbMode.Inference).Sums; // (P)
        var referenceRejected = CompletionLogProbs.Compute(policy, rejected, LogProbMode.Inference).Sums; // (P)
        var loss = new SigmoidLoss(0.1, 0);
        using var optimizer = AdamW.Create(policy.NamedParameters(), new AdamWOptions());

        var before = loss.Compute(Logps(policy, chosen, rejected, referenceChosen, referenceRejected));
        Assert.All(LossFloats(before.Losses), l => Assert.Equal(Math.Log(2), l, 1e-6));
        Assert.All(LossFloats(before.ChosenRewards - before.RejectedRewards), m => Assert.Equal(0.0, m, 1e-6));

        GradientAccumulation.MicroBatchLoss(before.Losses, Pairs).backward();
        var gradNorm = GradientClipping.ClipByGlobalNorm(optimizer.Parameters, 1.0);
        optimizer.Step(1e-3);

        var after = loss.Compute(Logps(policy, chosen, rejected, referenceChosen, referenceRejected));
        Assert.True(gradNorm > 0, "a DPO gradient at z = 0 is −β/2 per pair, never zero");
        Assert.True(after.Losses.mean().item<float>() < Math.Log(2) - 1e-3, $"loss after one step {after.Losses.mean().item<float>()}");
        Assert.All(LossFloats(after.ChosenRewards - after.RejectedRewards), m => Assert.True(m > 0, $"margin {m}"));
    }

    [Fact]
    public void A_frozen_policy_stays_at_ln2_and_the_detector_names_frozen_parameters_first()
    {
        using var policy = LoadModel();
        foreach (var (_, parameter) in policy.NamedParameters())
        {
            parameter.requires_grad = false;
        }
        var detector = new DpoLossPlateauDetector();
        var (chosen, rejected) = Requests(policy.Config.VocabSize);
        PlateauWarning? warning = null;
        for (var step = 1; step <= 5; step++)
        {
            using var scope = torch.NewDisposeScope();
            var referenceChosen = CompletionLogProbs.Compute(policy, chosen, LogProbMode.Inference).Sums;
            var referenceRejected = CompletionLogProbs.Compute(policy, rejected, LogProbMode.Inference).Sums;
            var output = new SigmoidLoss(0.1, 0).Compute(Logps(policy, chosen, rejected, referenceChosen, referenceRejected));
            var gradNorm = GradientClipping.ClipByGlobalNorm(policy.NamedParameters().Select(p => (Tensor)p.Parameter), 1.0);
            var margin = (output.ChosenRewards - output.RejectedRewards).mean().item<float>();
            warning = detector.Observe(step, output.Losses.mean().item<float>(), 1e-6, gradNorm, margin) ?? warning;
        }

        Assert.NotNull(warning);
        Assert.StartsWith("policy not updated", warning.LikelyCauses[0]);
        Assert.Contains("grad_norm is 0", warning.LikelyCauses[0]);
        Assert.Contains("rewards/margins is exactly 0", warning.LikelyCauses[1]);
    }

    private static double[] LossFloats(Tensor values) => values.detach().to_type(ScalarType.Float64).data<double>().ToArray();
}
