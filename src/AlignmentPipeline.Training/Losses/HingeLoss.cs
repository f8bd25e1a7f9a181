using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Losses;

/// <summary>
/// Hinge loss on the normalised likelihood (TRL <c>hinge</c>). Zhao et al. 2023, "SLiC-HF: Sequence Likelihood
/// Calibration with Human Feedback" (arXiv:2305.10425), the rank-calibration hinge loss with margin 1/β, in the
/// form used by RSO (Liu et al. 2023, arXiv:2309.06657; equation numbers not checked here): L = max(0, 1 − β·z),
/// z = (π_c − π_r) − (ref_c − ref_r).
/// </summary>
internal sealed class HingeLoss(double beta) : IPreferenceLoss
{
    /// <inheritdoc />
    public string Name => "hinge";

    /// <inheritdoc />
    public bool RequiresReference => true;

    /// <inheritdoc />
    public PreferenceLossOutput Compute(PreferenceLogps logps)
    {
        using var scope = torch.NewDisposeScope();
        var (chosen, rejected) = ImplicitRewards.LogRatios(logps, Name); // (B), (B)
        var logits = ImplicitRewards.Logits(chosen, rejected); // (B)
        var losses = (1 - beta * logits).relu(); // (B)
        return ImplicitRewards.WithRewards(losses, chosen, rejected, beta);
    }
}
