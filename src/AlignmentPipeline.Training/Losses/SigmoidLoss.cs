using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace AlignmentPipeline.Training.Losses;

/// <summary>
/// DPO (TRL <c>sigmoid</c>). Rafailov et al. 2023, "Direct Preference Optimization: Your Language Model is Secretly a
/// Reward Model", Eq. 7: L = −log σ(β·z) with z = (π_c − π_r) − (ref_c − ref_r).
/// With label smoothing ε > 0 it is conservative DPO (Mitchell 2023, "A note on DPO with noisy preferences"):
/// L = −(1 − ε)·log σ(β·z) − ε·log σ(−β·z).
/// </summary>
internal sealed class SigmoidLoss(double beta, double labelSmoothing) : IPreferenceLoss
{
    /// <inheritdoc />
    public string Name => "sigmoid";

    /// <inheritdoc />
    public bool RequiresReference => true;

    /// <inheritdoc />
    public PreferenceLossOutput Compute(PreferenceLogps logps)
    {
        using var scope = torch.NewDisposeScope();
        var (chosen, rejected) = ImplicitRewards.LogRatios(logps, Name); // (B), (B)
        var logits = ImplicitRewards.Logits(chosen, rejected); // (B)
        var losses = -(1 - labelSmoothing) * logsigmoid(beta * logits) - labelSmoothing * logsigmoid(-beta * logits); // (B)
        return ImplicitRewards.WithRewards(losses, chosen, rejected, beta);
    }
}
