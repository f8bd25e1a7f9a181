using AlignmentPipeline.Training.RewardModel;
using TorchSharp;

namespace AlignmentPipeline.Training.Tests.RewardModel;

/// <summary>
/// The Bradley–Terry loss on pairs worked by hand. −log σ(d) = log(1 + e^(−d)); e^(−1) = 0.367879441,
/// e^(−0.75) = 0.472366553, e^(0.5) = 1.648721271.
/// </summary>
public sealed class BradleyTerryLossTests
{
    private const double Tolerance = 1e-6;

    private static double[] Losses(float[] chosen, float[] rejected, float[] margins, double center)
    {
        using var scope = torch.NewDisposeScope();
        var losses = BradleyTerryLoss.Compute(torch.tensor(chosen), torch.tensor(rejected), torch.tensor(margins), center);
        return losses.to(torch.ScalarType.Float64).data<double>().ToArray();
    }

    [Fact]
    public void Loss_is_minus_log_sigmoid_of_the_reward_difference()
    {
        // Pair 1: r_c = 1.5, r_r = 0.5, d = 1: log(1 + 0.367879441) = log 1.367879441 = 0.313261688.
        // Pair 2: r_c = −0.2, r_r = 0.3, d = −0.5 (ranked wrongly): log(1 + 1.648721271) = log 2.648721271 = 0.974076984.
        var losses = Losses([1.5f, -0.2f], [0.5f, 0.3f], [0f, 0f], center: 0);
        Assert.Equal(0.313261688, losses[0], Tolerance);
        Assert.Equal(0.974076984, losses[1], Tolerance);
    }

    [Fact]
    public void A_margin_is_subtracted_from_the_reward_difference()
    {
        // r_c = 1.5, r_r = 0.5, m = 0.25: d = 1 − 0.25 = 0.75, log(1 + 0.472366553) = log 1.472366553 = 0.386871006.
        Assert.Equal(0.386871006, Losses([1.5f], [0.5f], [0.25f], center: 0)[0], Tolerance);
    }

    [Fact]
    public void Center_rewards_coefficient_adds_the_squared_reward_sum()
    {
        // λ = 0.1: pair 1 adds 0.1·(1.5 + 0.5)² = 0.4 → 0.313261688 + 0.4 = 0.713261688;
        // pair 2 adds 0.1·(−0.2 + 0.3)² = 0.001 → 0.974076984 + 0.001 = 0.975076984.
        var losses = Losses([1.5f, -0.2f], [0.5f, 0.3f], [0f, 0f], center: 0.1);
        Assert.Equal(0.713261688, losses[0], Tolerance);
        Assert.Equal(0.975076984, losses[1], Tolerance);
    }
}
