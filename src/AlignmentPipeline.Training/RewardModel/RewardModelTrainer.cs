using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Training.Losses;
using AlignmentPipeline.Training.Optimization;
using AlignmentPipeline.Training.Trainers;
using TorchSharp;

namespace AlignmentPipeline.Training.RewardModel;

/// <summary>
/// The reward model's side of <see cref="TrainingLoop{TExample}"/>: each micro-batch's chosen and rejected sequences
/// are scored in one forward (2n sequences) and the Bradley–Terry losses are summed and divided by the pairs of the
/// whole step (<see cref="GradientAccumulation.MicroBatchLoss"/>); each step logs the mean loss, accuracy, margin and rewards.
/// </summary>
/// <param name="model">The backbone with its scalar head, trained.</param>
/// <param name="settings">The loop settings (micro-batch size of evaluation).</param>
/// <param name="centerCoefficient">TRL's center_rewards_coefficient.</param>
/// <param name="eval">Held-out pairs.</param>
internal sealed class RewardModelTrainer(ScalarRewardModel model, LoopSettings settings, double centerCoefficient, IReadOnlyList<RewardPair> eval)
    : ITrainingObjective<RewardPair>
{
    private RewardMetrics stepMetrics = new();
    private int stepPairs;

    public string AccuracyMetric => RewardMetrics.Accuracy;

    public bool HasEval => eval.Count > 0;

    public string Describe(IReadOnlyList<RewardPair> train, int totalSteps) =>
        $"Bradley–Terry reward model on {train.Count} pairs ({eval.Count} held out), {settings.DescribeSteps(totalSteps)}";

    public int Tokens(RewardPair example) => example.Tokens;

    public void BeginStep(IReadOnlyList<RewardPair> batch) => (stepMetrics, stepPairs) = (new RewardMetrics(), batch.Count);

    public torch.Tensor MicroBatchLoss(IReadOnlyList<RewardPair> micro)
    {
        var (losses, chosen, rejected) = Score(micro);
        stepMetrics.Add(losses, chosen, rejected);
        return GradientAccumulation.MicroBatchLoss(losses, stepPairs); // ()
    }

    /// <summary>The mean per-pair loss in float64 (not the float32 micro-batch sum) and the reward metrics.</summary>
    public (double Loss, IReadOnlyList<KeyValuePair<string, double>> Metrics) EndStep(double microBatchLossSum) => (stepMetrics.Loss, stepMetrics.Means());

    /// <summary>Per-pair losses and the chosen and rejected rewards (each (n)) of a micro-batch, in the caller's scope.</summary>
    private (torch.Tensor Losses, torch.Tensor Chosen, torch.Tensor Rejected) Score(IReadOnlyList<RewardPair> pairs)
    {
        var n = pairs.Count;
        var rewards = model.Rewards([.. pairs.Select(p => p.Chosen), .. pairs.Select(p => p.Rejected)]); // (2n)
        var (chosen, rejected) = (rewards.narrow(0, 0, n), rewards.narrow(0, n, n)); // (n), (n)
        var margins = torch.tensor(pairs.Select(p => (float)p.Margin).ToArray(), device: model.Device); // (n)
        return (BradleyTerryLoss.Compute(chosen, rejected, margins, centerCoefficient), chosen, rejected);
    }

    /// <summary>Mean loss, accuracy, margin and rewards over the held-out pairs (names prefixed <c>eval_</c>), without gradients.</summary>
    public IReadOnlyDictionary<string, double> Evaluate()
    {
        var evalMetrics = new RewardMetrics();
        foreach (var micro in eval.Chunk(settings.BatchSize))
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var (losses, chosen, rejected) = Score(micro);
            evalMetrics.Add(losses, chosen, rejected);
        }

        var result = new Dictionary<string, double>(StringComparer.Ordinal) { ["eval_loss"] = evalMetrics.Loss };
        foreach (var (name, value) in evalMetrics.Means("eval_"))
        {
            result[name] = value;
        }

        return result;
    }
}
