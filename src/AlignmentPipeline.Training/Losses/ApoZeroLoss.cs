using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Losses;

/// <summary>
/// APO-zero (TRL <c>apo_zero</c>). D'Oosterlinck et al. 2024, "Anchored Preference Optimization and Contrastive
/// Revisions", Eq. 7: L = (1 − σ(β·(π_c − ref_c))) + σ(β·(π_r − ref_r)). Raises the chosen likelihood and lowers the
/// rejected one in absolute terms; use it when the chosen answers are better than what the model writes now.
/// </summary>
internal sealed class ApoZeroLoss(double beta) : IPreferenceLoss
{
    /// <inheritdoc />
    public string Name => "apo_zero";

    /// <inheritdoc />
    public bool RequiresReference => true;

    /// <inheritdoc />
    public PreferenceLossOutput Compute(PreferenceLogps logps)
    {
        using var scope = torch.NewDisposeScope();
        var (chosen, rejected) = ImplicitRewards.LogRatios(logps, Name); // (B), (B)
        var losses = (1 - torch.sigmoid(beta * chosen)) + torch.sigmoid(beta * rejected); // (B)
        return ImplicitRewards.WithRewards(losses, chosen, rejected, beta);
    }
}
