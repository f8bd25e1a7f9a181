using AlignmentPipeline.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Metrics;

/// <summary>
/// Collects TRL's preference metrics over the micro-batches of one optimizer step and reports their means over all
/// examples: <c>rewards/chosen</c>, <c>rewards/rejected</c>, <c>rewards/margins</c>, <c>rewards/accuracies</c>
/// (strictly chosen &gt; rejected, as TRL), <c>logps/chosen</c>, <c>logps/rejected</c>.
/// </summary>
internal sealed class PreferenceMetricsAccumulator
{
    private double _chosenRewards, _rejectedRewards, _margins, _accurate, _chosenLogps, _rejectedLogps;

    /// <summary>Number of pairs added since construction or the last <see cref="Reset"/>.</summary>
    public long Count { get; private set; }

    /// <summary>Adds one micro-batch.</summary>
    public void Add(PreferenceLossOutput output, PreferenceLogps logps)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        _chosenRewards += Sum(output.ChosenRewards);
        _rejectedRewards += Sum(output.RejectedRewards);
        _margins += Sum(output.ChosenRewards - output.RejectedRewards);
        _accurate += Sum((output.ChosenRewards > output.RejectedRewards).to_type(ScalarType.Float64));
        _chosenLogps += Sum(logps.PolicyChosen);
        _rejectedLogps += Sum(logps.PolicyRejected);
        Count += output.ChosenRewards.shape[0];
    }

    /// <summary>The means by TRL name; throws when nothing was added.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Means()
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("No pairs were added; call Add for each micro-batch before Means.");
        }
        return
        [
            new(MetricNames.RewardsChosen, _chosenRewards / Count),
            new(MetricNames.RewardsRejected, _rejectedRewards / Count),
            new(MetricNames.RewardsMargins, _margins / Count),
            new(MetricNames.RewardsAccuracies, _accurate / Count),
            new(MetricNames.LogpsChosen, _chosenLogps / Count),
            new(MetricNames.LogpsRejected, _rejectedLogps / Count),
        ];
    }

    /// <summary>Starts a new optimizer step.</summary>
    public void Reset()
    {
        (_chosenRewards, _rejectedRewards, _margins, _accurate, _chosenLogps, _rejectedLogps) = (0, 0, 0, 0, 0, 0);
        Count = 0;
    }

    private static double Sum(Tensor values) => values.detach().to_type(ScalarType.Float64).sum().item<double>();
}
