using AlignmentPipeline.Training.Losses;
using TorchSharp;

namespace AlignmentPipeline.Training.Tests.Losses;

/// <summary>
/// One example per loss, worked by hand. Unless said otherwise the batch is <see cref="LossInputs.WorkedExample"/>:
/// π_c = −10, π_r = −12, ref_c = ref_r = −11, n_c = 4, n_r = 2, β = 0.1; hence a = π_c − ref_c = 1,
/// b = π_r − ref_r = −1, z = a − b = 2, β·z = 0.2.
/// Useful values: log σ(x) = −log(1 + e^(−x)); e^(−0.2) = 0.818730753, so −log σ(0.2) = log 1.818730753 = 0.598138869
/// and −log σ(−0.2) = 0.2 + 0.598138869 = 0.798138869.
/// </summary>
public sealed class HandWorkedLossTests
{
    private const double Tolerance = 1e-6;

    private static double LossOf(IPreferenceLoss loss, PreferenceLogps logps)
    {
        using var scope = torch.NewDisposeScope();
        return LossInputs.Single(loss.Compute(logps).Losses);
    }

    [Fact]
    public void Sigmoid_matches_hand_computation()
    {
        // L = −log σ(β·z) = −log σ(0.2) = 0.598138869
        Assert.Equal(0.598138869, LossOf(new SigmoidLoss(0.1, 0), LossInputs.WorkedExample()), Tolerance);
    }

    [Fact]
    public void Conservative_dpo_mixes_both_directions_by_label_smoothing()
    {
        // ε = 0.1: L = 0.9·(−log σ(0.2)) + 0.1·(−log σ(−0.2)) = 0.9·0.598138869 + 0.1·0.798138869 = 0.618138869
        Assert.Equal(0.618138869, LossOf(new SigmoidLoss(0.1, 0.1), LossInputs.WorkedExample()), Tolerance);
    }

    [Fact]
    public void Robust_matches_hand_computation()
    {
        // ε = 0.1: L = [0.9·0.598138869 − 0.1·0.798138869] / (1 − 0.2) = (0.538324982 − 0.079813887) / 0.8 = 0.573138869
        Assert.Equal(0.573138869, LossOf(new RobustLoss(0.1, 0.1), LossInputs.WorkedExample()), Tolerance);
    }

    [Fact]
    public void Ipo_uses_length_averaged_log_ratios()
    {
        // z = (π_c/4 − π_r/2) − (ref_c/4 − ref_r/2) = (−2.5 + 6) − (−2.75 + 5.5) = 3.5 − 2.75 = 0.75
        // L = (0.75 − 1/(2·0.1))² = (0.75 − 5)² = 18.0625; rewards β·a/4 = 0.025 and β·b/2 = −0.05
        using var scope = torch.NewDisposeScope();
        var output = new IpoLoss(0.1).Compute(LossInputs.WorkedExample());
        Assert.Equal(18.0625, LossInputs.Single(output.Losses), Tolerance);
        Assert.Equal(0.025, LossInputs.Single(output.ChosenRewards), Tolerance);
        Assert.Equal(-0.05, LossInputs.Single(output.RejectedRewards), Tolerance);
    }

    [Fact]
    public void Hinge_matches_hand_computation()
    {
        // L = max(0, 1 − β·z) = 1 − 0.2 = 0.8
        Assert.Equal(0.8, LossOf(new HingeLoss(0.1), LossInputs.WorkedExample()), Tolerance);
    }

    [Fact]
    public void Bco_pair_subtracts_the_running_mean_of_batch_rewards()
    {
        // Step 1: rewards β·a = 0.1, β·b = −0.1, batch mean 0, δ = 0:
        //   L = −log σ(0.1) − log σ(0.1) = 2·log(1 + e^(−0.1)) = 2·0.644396660 = 1.288793320
        // Step 2: a = 3, b = 1 (π_c = −8, π_r = −10), rewards 0.3 and 0.1, batch mean 0.2, δ = (0 + 0.2)/2 = 0.1:
        //   L = −log σ(0.3 − 0.1) − log σ(−(0.1 − 0.1)) = 0.598138869 + ln 2 = 1.291286050
        using var scope = torch.NewDisposeScope();
        var mean = new RunningRewardMean();
        var loss = new BcoPairLoss(0.1, mean);
        Assert.Equal(1.288793320, LossInputs.Single(loss.Compute(LossInputs.WorkedExample()).Losses), Tolerance);
        var second = LossInputs.Batch([-8.0], [-10.0], [-11.0], [-11.0], [4], [2]);
        Assert.Equal(1.291286050, LossInputs.Single(loss.Compute(second).Losses), Tolerance);
        Assert.Equal(0.1, mean.Mean, 1e-12);
        Assert.Equal(2, mean.Count);
    }

    [Fact]
    public void Sppo_hard_pulls_log_ratios_to_plus_and_minus_half_over_beta()
    {
        // L = (a − 0.5/β)² + (b + 0.5/β)² = (1 − 5)² + (−1 + 5)² = 16 + 16 = 32
        Assert.Equal(32.0, LossOf(new SppoHardLoss(0.1), LossInputs.WorkedExample()), Tolerance);
    }

    [Fact]
    public void Nca_pair_matches_hand_computation()
    {
        // r_c = 0.1, r_r = −0.1. −log σ(0.1) = log(1 + e^(−0.1)) = log 1.904837418 = 0.644396660;
        // −log σ(−0.1) = 0.1 + 0.644396660 = 0.744396660; −log σ(0.1) again for the rejected term.
        // L = 0.644396660 + 0.5·0.744396660 + 0.5·0.644396660 = 1.338793320
        Assert.Equal(1.338793320, LossOf(new NcaPairLoss(0.1), LossInputs.WorkedExample()), Tolerance);
    }

    [Fact]
    public void Apo_zero_matches_hand_computation()
    {
        // σ(0.1) = 1/(1 + e^(−0.1)) = 1/1.904837418 = 0.524979187; σ(−0.1) = 0.475020813
        // L = (1 − σ(β·a)) + σ(β·b) = 0.475020813 + 0.475020813 = 0.950041625
        Assert.Equal(0.950041625, LossOf(new ApoZeroLoss(0.1), LossInputs.WorkedExample()), Tolerance);
    }

    [Fact]
    public void Sft_is_the_length_averaged_chosen_nll()
    {
        // L = −π_c / n_c = 10 / 4 = 2.5
        Assert.Equal(2.5, LossOf(new SftLoss(0.1), LossInputs.WorkedExample()), Tolerance);
    }

    [Fact]
    public void Simpo_matches_hand_computation_without_reference()
    {
        // Averages: π_c/4 = −2.5, π_r/2 = −6. z = −2.5 + 6 − γ/β = 3.5 − 0.5/0.1 = −1.5, β·z = −0.15.
        // L = −log σ(−0.15) = 0.15 + log(1 + e^(−0.15)) = 0.15 + log 1.860707976 = 0.15 + 0.620957048 = 0.770957048
        // Rewards β·average: −0.25 and −0.6.
        using var scope = torch.NewDisposeScope();
        var referenceFree = LossInputs.Batch([-10.0], [-12.0], null, null, [4], [2]);
        var output = new SimPoLoss(0.1, 0.5, 0).Compute(referenceFree);
        Assert.Equal(0.770957048, LossInputs.Single(output.Losses), Tolerance);
        Assert.Equal(-0.25, LossInputs.Single(output.ChosenRewards), Tolerance);
        Assert.Equal(-0.6, LossInputs.Single(output.RejectedRewards), Tolerance);
    }

    [Fact]
    public void Orpo_adds_the_odds_ratio_term_to_the_nll()
    {
        // a_c = −2.5, a_r = −6. log(1 − e^(−2.5)) = log(1 − 0.082084999) = log 0.917915001 = −0.085650484;
        // log(1 − e^(−6)) = log(1 − 0.002478752) = −0.002481829.
        // log odds ratio = (−2.5 + 6) − (−0.085650484 + 0.002481829) = 3.5 + 0.083168654 = 3.583168654
        // −log σ(3.583168654) = log(1 + e^(−3.583168654)) = log(1.027787510) = 0.027408443
        // L = −a_c + λ·0.027408443 = 2.5 + 0.1·0.027408443 = 2.502740844
        using var scope = torch.NewDisposeScope();
        var referenceFree = LossInputs.Batch([-10.0], [-12.0], null, null, [4], [2]);
        Assert.Equal(2.502740844, LossOf(new OrpoLoss(0.1, 0.1), referenceFree), Tolerance);
    }

    [Fact]
    public void Kto_weights_desirable_and_undesirable_examples_around_the_clamped_kl()
    {
        // Policy [−5, −7], reference [−6, −6]: r = [1, −1]; desirable [yes, no]; β = 0.1, λ_D = 1, λ_U = 1.5.
        // KL pairs: policy [−3, −4], reference [−4, −4] → z₀ = mean(1, 0) = 0.5.
        // Desirable: 1 − σ(0.1·(1 − 0.5)) = 1 − σ(0.05) = 1 − 0.512497396 = 0.487502604
        // Undesirable: 1.5·(1 − σ(0.1·(0.5 + 1))) = 1.5·(1 − σ(0.15)) = 1.5·0.462570155 = 0.693855232
        using var scope = torch.NewDisposeScope();
        var loss = new KtoLoss(new KtoLossOptions { Beta = 0.1, DesirableWeight = 1.0, UndesirableWeight = 1.5 });
        var logps = new KtoLogps(
            torch.tensor(new[] { -5.0, -7.0 }), torch.tensor(new[] { -6.0, -6.0 }), torch.tensor(new[] { true, false }),
            torch.tensor(new[] { -3.0, -4.0 }), torch.tensor(new[] { -4.0, -4.0 }));
        var output = loss.Compute(logps);
        var losses = LossInputs.ToArray(output.Losses);
        Assert.Equal(0.487502604, losses[0], Tolerance);
        Assert.Equal(0.693855232, losses[1], Tolerance);
        Assert.Equal(0.5, LossInputs.Single(output.Kl), Tolerance);
        Assert.Equal([0.1, -0.1], LossInputs.ToArray(output.Rewards), (x, y) => Math.Abs(x - y) < Tolerance);
    }

    [Fact]
    public void Kto_clamps_a_negative_kl_estimate_at_zero()
    {
        // KL pairs policy [−5], reference [−4]: mean log-ratio −1 → z₀ = max(0, −1) = 0.
        // Desirable r = 1: 1 − σ(0.1) = 0.475020813.
        using var scope = torch.NewDisposeScope();
        var loss = new KtoLoss(new KtoLossOptions());
        var logps = new KtoLogps(
            torch.tensor(new[] { -5.0 }), torch.tensor(new[] { -6.0 }), torch.tensor(new[] { true }),
            torch.tensor(new[] { -5.0 }), torch.tensor(new[] { -4.0 }));
        var output = loss.Compute(logps);
        Assert.Equal(0.0, LossInputs.Single(output.Kl));
        Assert.Equal(0.475020813, LossInputs.Single(output.Losses), Tolerance);
    }
}
