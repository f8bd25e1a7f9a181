using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Losses;

/// <summary>
/// The negative log-likelihood of the chosen completion (TRL <c>sft</c>; the NLL term of RPO, Pang et al. 2024,
/// "Iterative Reasoning Preference Optimization", Eq. 1, and of MPO): L = −π_c / n_c, the chosen log-prob averaged
/// over its tokens. Combine it with <c>sigmoid</c> at weight α to get RPO. TRL averages over all chosen tokens of the
/// batch at once; averaging per sequence keeps the loss per-example, so gradient accumulation stays exact. The two
/// agree when all chosen completions have the same length.
/// Rewards are β·(π − ref) when the batch carries reference log-probs and β·π/n otherwise.
/// </summary>
internal sealed class SftLoss(double beta) : IPreferenceLoss
{
    /// <inheritdoc />
    public string Name => "sft";

    /// <inheritdoc />
    public bool RequiresReference => false;

    /// <inheritdoc />
    public PreferenceLossOutput Compute(PreferenceLogps logps)
    {
        using var scope = torch.NewDisposeScope();
        var chosenPerToken = logps.PolicyChosen / logps.ChosenLengths(); // (B)
        var losses = -chosenPerToken; // (B)
        if (logps.ReferenceChosen is not null && logps.ReferenceRejected is not null)
        {
            var (chosen, rejected) = ImplicitRewards.LogRatios(logps, Name); // (B), (B)
            return ImplicitRewards.WithRewards(losses, chosen, rejected, beta);
        }
        var rejectedPerToken = logps.PolicyRejected / logps.RejectedLengths(); // (B)
        return ImplicitRewards.WithRewards(losses, chosenPerToken, rejectedPerToken, beta);
    }
}
