using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Losses;

/// <summary>
/// IPO (TRL <c>ipo</c>). Azar et al. 2023, "A General Theoretical Paradigm to Understand Learning from Human
/// Preferences", Eq. 17: L = (z − 1/(2β))², where β is the paper's τ. As in TRL, every log-prob is first averaged over
/// its completion tokens, so z = (π_c/n_c − π_r/n_r) − (ref_c/n_c − ref_r/n_r) and the rewards are β·(π − ref)/n.
/// </summary>
internal sealed class IpoLoss(double beta) : IPreferenceLoss
{
    /// <inheritdoc />
    public string Name => "ipo";

    /// <inheritdoc />
    public bool RequiresReference => true;

    /// <inheritdoc />
    public PreferenceLossOutput Compute(PreferenceLogps logps)
    {
        using var scope = torch.NewDisposeScope();
        var (chosen, rejected) = ImplicitRewards.LogRatios(logps, Name); // (B), (B)
        var chosenPerToken = chosen / logps.ChosenLengths(); // (B)
        var rejectedPerToken = rejected / logps.RejectedLengths(); // (B)
        var logits = ImplicitRewards.Logits(chosenPerToken, rejectedPerToken); // (B)
        var losses = (logits - 1 / (2 * beta)).square(); // (B)
        return ImplicitRewards.WithRewards(losses, chosenPerToken, rejectedPerToken, beta);
    }
}
