using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace AlignmentPipeline.Training.Losses;

/// <summary>
/// SimPO, reference-free (TRL CPOTrainer <c>loss_type="simpo"</c>). Meng et al. 2024, "SimPO: Simple Preference
/// Optimization with a Reference-Free Reward", Eq. 6: L = −log σ(β·(π_c/n_c − π_r/n_r) − γ), the implicit reward being
/// the length-averaged log-prob β·π/n and γ the target reward margin. With label smoothing ε (as TRL allows):
/// L = −(1 − ε)·log σ(β·z) − ε·log σ(−β·z), z = π_c/n_c − π_r/n_r − γ/β.
/// </summary>
internal sealed class SimPoLoss(double beta, double gamma, double labelSmoothing) : IPreferenceLoss
{
    /// <inheritdoc />
    public string Name => "simpo";

    /// <inheritdoc />
    public bool RequiresReference => false;

    /// <inheritdoc />
    public PreferenceLossOutput Compute(PreferenceLogps logps)
    {
        using var scope = torch.NewDisposeScope();
        var chosenPerToken = logps.PolicyChosen / logps.ChosenLengths(); // (B)
        var rejectedPerToken = logps.PolicyRejected / logps.RejectedLengths(); // (B)
        var logits = chosenPerToken - rejectedPerToken - gamma / beta; // (B)
        var losses = -(1 - labelSmoothing) * logsigmoid(beta * logits) - labelSmoothing * logsigmoid(-beta * logits); // (B)
        return ImplicitRewards.WithRewards(losses, chosenPerToken, rejectedPerToken, beta);
    }
}
