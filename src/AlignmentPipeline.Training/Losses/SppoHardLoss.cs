using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Losses;

/// <summary>
/// SPPO with hard labels (TRL <c>sppo_hard</c>). Wu et al. 2024, "Self-Play Preference Optimization for Language
/// Model Alignment", Eq. 4.7 of Algorithm 1 with the win probability set to 1 for the chosen and 0 for the rejected
/// completion: L = (a − 1/(2β))² + (b + 1/(2β))², a = π_c − ref_c, b = π_r − ref_r.
/// </summary>
internal sealed class SppoHardLoss(double beta) : IPreferenceLoss
{
    /// <inheritdoc />
    public string Name => "sppo_hard";

    /// <inheritdoc />
    public bool RequiresReference => true;

    /// <inheritdoc />
    public PreferenceLossOutput Compute(PreferenceLogps logps)
    {
        using var scope = torch.NewDisposeScope();
        var (chosen, rejected) = ImplicitRewards.LogRatios(logps, Name); // (B), (B)
        var target = 0.5 / beta;
        var losses = (chosen - target).square() + (rejected + target).square(); // (B)
        return ImplicitRewards.WithRewards(losses, chosen, rejected, beta);
    }
}
