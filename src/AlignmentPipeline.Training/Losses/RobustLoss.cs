using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace AlignmentPipeline.Training.Losses;

/// <summary>
/// Robust DPO (TRL <c>robust</c>). Chowdhury et al. 2024, "Provably Robust DPO: Aligning Language Models with Noisy
/// Feedback" (arXiv:2403.00409), the rDPO loss (equation number not checked here): an unbiased estimate of the DPO loss when a fraction ε of the labels is flipped,
/// L = [−(1 − ε)·log σ(β·z) + ε·log σ(−β·z)] / (1 − 2ε), z = (π_c − π_r) − (ref_c − ref_r).
/// </summary>
internal sealed class RobustLoss(double beta, double labelSmoothing) : IPreferenceLoss
{
    /// <inheritdoc />
    public string Name => "robust";

    /// <inheritdoc />
    public bool RequiresReference => true;

    /// <inheritdoc />
    public PreferenceLossOutput Compute(PreferenceLogps logps)
    {
        using var scope = torch.NewDisposeScope();
        var (chosen, rejected) = ImplicitRewards.LogRatios(logps, Name); // (B), (B)
        var logits = ImplicitRewards.Logits(chosen, rejected); // (B)
        var losses = (-(1 - labelSmoothing) * logsigmoid(beta * logits) + labelSmoothing * logsigmoid(-beta * logits))
            / (1 - 2 * labelSmoothing); // (B)
        return ImplicitRewards.WithRewards(losses, chosen, rejected, beta);
    }
}
