using AlignmentPipeline.Training.Losses;
using AlignmentPipeline.Training.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>
/// TRL KTOTrainer's metrics over the micro-batches of one optimizer step: <c>rewards/chosen</c> and <c>logps/chosen</c>
/// are means over the desirable examples, <c>rewards/rejected</c> and <c>logps/rejected</c> over the undesirable ones,
/// <c>rewards/margins</c> is their difference of means (TRL: chosen mean − rejected mean) and <c>kl</c> the mean of the
/// micro-batches' z₀. A label absent from the step gives NaN (logged as null).
/// </summary>
internal sealed class KtoMetricsAccumulator
{
    /// <summary>TRL's name of the KL reference point z₀.</summary>
    public const string Kl = "kl";

    private double _chosenRewards, _rejectedRewards, _chosenLogps, _rejectedLogps, _kl;
    private long _chosen, _rejected, _batches;

    /// <summary>Adds one micro-batch.</summary>
    public void Add(KtoLossOutput output, KtoLogps logps)
    {
        using var scope = torch.NewDisposeScope();
        var desirable = logps.IsDesirable.to_type(ScalarType.Float64); // (B)
        var undesirable = 1 - desirable; // (B)
        var rewards = output.Rewards.detach().to_type(ScalarType.Float64); // (B)
        var policy = logps.Policy.detach().to_type(ScalarType.Float64); // (B)
        _chosenRewards += (rewards * desirable).sum().item<double>();
        _rejectedRewards += (rewards * undesirable).sum().item<double>();
        _chosenLogps += (policy * desirable).sum().item<double>();
        _rejectedLogps += (policy * undesirable).sum().item<double>();
        var chosen = (long)desirable.sum().item<double>();
        _chosen += chosen;
        _rejected += desirable.shape[0] - chosen;
        _kl += output.Kl.to_type(ScalarType.Float64).item<double>();
        _batches++;
    }

    /// <summary>The means by TRL name; throws when nothing was added.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Means()
    {
        if (_batches == 0)
        {
            throw new InvalidOperationException("No micro-batch was added; call Add for each before Means.");
        }

        var (chosen, rejected) = (_chosenRewards / _chosen, _rejectedRewards / _rejected); // NaN when a label is absent
        return
        [
            new(MetricNames.RewardsChosen, chosen),
            new(MetricNames.RewardsRejected, rejected),
            new(MetricNames.RewardsMargins, chosen - rejected),
            new(MetricNames.LogpsChosen, _chosenLogps / _chosen),
            new(MetricNames.LogpsRejected, _rejectedLogps / _rejected),
            new(Kl, _kl / _batches),
        ];
    }

    /// <summary>Starts a new optimizer step.</summary>
    public void Reset()
    {
        (_chosenRewards, _rejectedRewards, _chosenLogps, _rejectedLogps, _kl) = (0, 0, 0, 0, 0);
        (_chosen, _rejected, _batches) = (0, 0, 0);
    }
}
