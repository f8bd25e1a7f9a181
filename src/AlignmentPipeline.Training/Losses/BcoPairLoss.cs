using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace AlignmentPipeline.Training.Losses;

/// <summary>
/// Pairwise BCO (TRL <c>bco_pair</c>). Jung et al. 2024, "Binary Classifier Optimization for Large Language Model
/// Alignment" (arXiv:2404.04656), the BCO loss with reward shift δ (equation numbers not checked here): L = −log σ(r_c − δ) − log σ(−(r_r − δ)), r = β·(π − ref),
/// where δ is the running mean over training batches of the batch-mean reward (chosen and rejected together),
/// updated with the current batch before the loss is computed, as TRL does. The state makes this loss depend on
/// the batch order: a micro-batch updates δ on its own.
/// </summary>
internal sealed class BcoPairLoss(double beta, RunningRewardMean rewardMean) : IPreferenceLoss
{
    /// <inheritdoc />
    public string Name => "bco_pair";

    /// <inheritdoc />
    public bool RequiresReference => true;

    /// <inheritdoc />
    public PreferenceLossOutput Compute(PreferenceLogps logps)
    {
        using var scope = torch.NewDisposeScope();
        var (chosen, rejected) = ImplicitRewards.LogRatios(logps, Name); // (B), (B)
        var chosenRewards = beta * chosen; // (B)
        var rejectedRewards = beta * rejected; // (B)
        var batchMean = torch.cat([chosenRewards.detach(), rejectedRewards.detach()]).mean().to_type(ScalarType.Float64).item<double>();
        var delta = rewardMean.Update(batchMean);
        var losses = -logsigmoid(chosenRewards - delta) - logsigmoid(-(rejectedRewards - delta)); // (B)
        return ImplicitRewards.WithRewards(losses, chosen, rejected, beta);
    }
}
