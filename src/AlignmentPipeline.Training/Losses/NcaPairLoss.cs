using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace AlignmentPipeline.Training.Losses;

/// <summary>
/// Pairwise NCA (TRL <c>nca_pair</c>). Chen et al. 2024, "Noise Contrastive Alignment of Language Models with
/// Explicit Rewards" (arXiv:2402.05369), the NCA loss for K = 2 responses (equation number not checked
/// here): L = −log σ(r_c) − ½·log σ(−r_c) − ½·log σ(−r_r), r = β·(π − ref).
/// Unlike DPO it pushes the absolute chosen likelihood up, not only the margin.
/// </summary>
internal sealed class NcaPairLoss(double beta) : IPreferenceLoss
{
    /// <inheritdoc />
    public string Name => "nca_pair";

    /// <inheritdoc />
    public bool RequiresReference => true;

    /// <inheritdoc />
    public PreferenceLossOutput Compute(PreferenceLogps logps)
    {
        using var scope = torch.NewDisposeScope();
        var (chosen, rejected) = ImplicitRewards.LogRatios(logps, Name); // (B), (B)
        var chosenRewards = beta * chosen; // (B)
        var rejectedRewards = beta * rejected; // (B)
        var losses = -logsigmoid(chosenRewards) - 0.5 * logsigmoid(-chosenRewards) - 0.5 * logsigmoid(-rejectedRewards); // (B)
        return ImplicitRewards.WithRewards(losses, chosen, rejected, beta);
    }
}
