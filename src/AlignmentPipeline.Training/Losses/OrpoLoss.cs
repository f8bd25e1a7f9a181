using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace AlignmentPipeline.Training.Losses;

/// <summary>
/// ORPO, reference-free (TRL ORPOTrainer). Hong et al. 2024, "ORPO: Monolithic Preference Optimization without
/// Reference Model", Eqs. 4–7: L = L_SFT − λ·log σ(log odds(y_c) − log odds(y_r)), where with the length-averaged
/// log-prob a = π/n, log odds(y) = a − log(1 − exp(a)) and L_SFT = −a_c. TRL calls λ <c>beta</c>; here λ is
/// <c>orpo_lambda</c> and β only scales the logged rewards β·a, as TRL's rewards are λ·a with its default λ = β = 0.1.
/// TRL's SFT term averages over all chosen tokens of the batch; this one averages per sequence (see <see cref="SftLoss"/>).
/// </summary>
internal sealed class OrpoLoss(double beta, double lambda) : IPreferenceLoss
{
    /// <inheritdoc />
    public string Name => "orpo";

    /// <inheritdoc />
    public bool RequiresReference => false;

    /// <inheritdoc />
    public PreferenceLossOutput Compute(PreferenceLogps logps)
    {
        using var scope = torch.NewDisposeScope();
        var chosenPerToken = logps.PolicyChosen / logps.ChosenLengths(); // (B)
        var rejectedPerToken = logps.PolicyRejected / logps.RejectedLengths(); // (B)
        var logOdds = chosenPerToken - rejectedPerToken - (Log1mExp(chosenPerToken) - Log1mExp(rejectedPerToken)); // (B)
        var losses = -chosenPerToken - lambda * logsigmoid(logOdds); // (B)
        return ImplicitRewards.WithRewards(losses, chosenPerToken, rejectedPerToken, beta);
    }

    /// <summary>
    /// log(1 − exp(x)) for x &lt; 0, stable at both ends (Mächler 2012, "Accurately Computing log(1 − exp(−|a|))"):
    /// log(−expm1(x)) near 0, log1p(−exp(x)) below −ln 2.
    /// </summary>
    internal static Tensor Log1mExp(Tensor x)
    {
        var nearZero = x > -Math.Log(2); // (B)
        var safeNear = torch.where(nearZero, x, torch.full_like(x, -1.0)); // (B) keeps the unused branch finite
        var safeFar = torch.where(nearZero, torch.full_like(x, -1.0), x); // (B)
        return torch.where(nearZero, (-safeNear.expm1()).log(), (-safeFar.exp()).log1p()); // (B)
    }
}
