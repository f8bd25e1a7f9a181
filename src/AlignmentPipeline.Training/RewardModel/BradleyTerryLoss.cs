using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AlignmentPipeline.Training.RewardModel;

/// <summary>
/// The Bradley–Terry pairwise loss of reward modelling (Ouyang et al. 2022, InstructGPT, eq. 1), per pair:
/// loss = −log σ(r_c − r_r − m) + λ·(r_c + r_r)², with m the pair's margin (Touvron et al. 2023, Llama 2, eq. 2) and λ
/// TRL's <c>center_rewards_coefficient</c> (Eisenstein et al. 2023). TRL adds λ·mean((r_c + r_r)²) to the mean of the
/// first term; the per-pair form has the same mean, so accumulation can divide by the pairs of a whole step.
/// </summary>
internal static class BradleyTerryLoss
{
    /// <summary>Per-pair losses (n) from chosen and rejected rewards (n) and margins (n).</summary>
    public static Tensor Compute(Tensor chosen, Tensor rejected, Tensor margins, double centerCoefficient)
    {
        var losses = -F.logsigmoid(chosen - rejected - margins); // (n)
        return centerCoefficient == 0 ? losses : losses + centerCoefficient * (chosen + rejected).pow(2); // (n)
    }
}
