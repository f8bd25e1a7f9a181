using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Losses;

/// <summary>
/// The training objective: a weighted sum of preference losses (TRL <c>loss_type: [sigmoid, sft]</c> with
/// <c>loss_weights</c>), per example: L = Σ_k w_k·L_k. The reported rewards are those of the first loss that is not
/// <c>sft</c> (unweighted; TRL 1.x reports β·(π − ref) once, while TRL 0.x summed the weighted rewards of every loss).
/// Build it with <see cref="PreferenceLossRegistry.Create"/>.
/// </summary>
internal sealed class WeightedPreferenceLoss
{
    private readonly IReadOnlyList<(IPreferenceLoss Loss, double Weight)> _terms;
    private readonly IPreferenceLoss _rewardSource;

    public WeightedPreferenceLoss(IReadOnlyList<(IPreferenceLoss Loss, double Weight)> terms, RunningRewardMean rewardMean)
    {
        if (terms.Count == 0)
        {
            throw new ArgumentException("A preference objective needs at least one loss.", nameof(terms));
        }
        _terms = terms;
        _rewardSource = terms.Select(t => t.Loss).FirstOrDefault(l => l is not SftLoss) ?? terms[0].Loss;
        RewardMean = rewardMean;
    }

    /// <summary>The losses and their weights, in configuration order.</summary>
    public IReadOnlyList<(IPreferenceLoss Loss, double Weight)> Terms => _terms;

    /// <summary>True when any term needs reference log-probs.</summary>
    public bool RequiresReference => _terms.Any(t => t.Loss.RequiresReference);

    /// <summary>The BCO reward mean δ, training state to checkpoint (stays at 0 unless <c>bco_pair</c> is a term).</summary>
    public RunningRewardMean RewardMean { get; }

    /// <summary>Per-example weighted losses, shape (B), and the rewards of the first non-<c>sft</c> term.</summary>
    public PreferenceLossOutput Compute(PreferenceLogps logps)
    {
        using var scope = torch.NewDisposeScope();
        Tensor? total = null;
        PreferenceLossOutput? rewards = null;
        foreach (var (loss, weight) in _terms)
        {
            var output = loss.Compute(logps);
            var weighted = weight * output.Losses; // (B)
            total = total is null ? weighted : total + weighted; // (B)
            if (ReferenceEquals(loss, _rewardSource))
            {
                rewards = output;
            }
        }
        return new PreferenceLossOutput(
            total!.MoveToOuterDisposeScope(),
            rewards!.ChosenRewards.MoveToOuterDisposeScope(),
            rewards.RejectedRewards.MoveToOuterDisposeScope());
    }
}
