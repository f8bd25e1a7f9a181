using AlignmentPipeline.Training.Metrics;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.RewardModel;

/// <summary>
/// Sums over the pairs of a step or an evaluation, reported as means under TRL's reward-trainer names: <c>accuracy</c>
/// (share of pairs with r_chosen &gt; r_rejected; a tie counts as wrong), <c>margin</c> (mean r_chosen − r_rejected),
/// and the mean rewards as <c>rewards/chosen</c> and <c>rewards/rejected</c>.
/// </summary>
internal sealed class RewardMetrics
{
    /// <summary>Metric names the reward model adds to <see cref="MetricNames"/>.</summary>
    public const string Accuracy = "accuracy", Margin = "margin";

    private double losses, correct, chosen, rejected;
    private long pairs;

    /// <summary>Adds a micro-batch: per-pair losses (n) and the rewards (n) of chosen and rejected.</summary>
    public void Add(Tensor pairLosses, Tensor chosenRewards, Tensor rejectedRewards)
    {
        var (c, r) = (Values(chosenRewards), Values(rejectedRewards));
        losses += Values(pairLosses).Sum();
        for (var i = 0; i < c.Length; i++)
        {
            correct += c[i] > r[i] ? 1 : 0;
            chosen += c[i];
            rejected += r[i];
        }

        pairs += c.Length;
    }

    /// <summary>Mean per-pair loss.</summary>
    public double Loss => losses / pairs;

    /// <summary>The means by name, each prefixed with <paramref name="prefix"/> (<c>eval_</c> for held-out pairs).</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Means(string prefix = "") =>
    [
        new(prefix + Accuracy, correct / pairs),
        new(prefix + Margin, (chosen - rejected) / pairs),
        new(prefix + MetricNames.RewardsChosen, chosen / pairs),
        new(prefix + MetricNames.RewardsRejected, rejected / pairs),
    ];

    private static double[] Values(Tensor t) => t.detach().cpu().to(float64).data<double>().ToArray();
}
