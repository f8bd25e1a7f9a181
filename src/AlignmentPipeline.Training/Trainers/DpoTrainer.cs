using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Training.Losses;
using AlignmentPipeline.Training.Metrics;
using AlignmentPipeline.Training.Optimization;
using TorchSharp;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>
/// The DPO family's side of <see cref="TrainingLoop{TExample}"/>: each micro-batch is scored (policy in train mode,
/// reference from the cache or live) and the objective's per-pair losses are summed and divided by the pairs of the
/// whole step (<see cref="GradientAccumulation.MicroBatchLoss"/>); each step logs TRL's preference metrics, checks
/// step 1 against ln 2 when policy = reference and watches for the ln 2 plateau.
/// </summary>
/// <param name="context">The stage, for its log.</param>
/// <param name="policy">The model trained.</param>
/// <param name="liveReference">The reference model with <c>live_reference: true</c>; null reads the cache (or needs none).</param>
/// <param name="objective">The weighted preference losses.</param>
/// <param name="settings">The loop settings (micro-batch size of evaluation).</param>
/// <param name="eval">Held-out pairs, evaluated when the settings say.</param>
/// <param name="sanityCheck">Policy and reference are the same model, so step 1 must give margins 0 (and ln 2 for sigmoid).</param>
internal sealed class DpoTrainer(
    StageContext context, ICausalLanguageModel policy, ICausalLanguageModel? liveReference, WeightedPreferenceLoss objective,
    LoopSettings settings, IReadOnlyList<DpoExample> eval, bool sanityCheck) : ITrainingObjective<DpoExample>
{
    private readonly PreferenceMetricsAccumulator accumulator = new();
    private readonly DpoLossPlateauDetector detector = new();
    private int stepPairs;

    public RunningRewardMean? State => objective.RewardMean;

    public bool HasEval => eval.Count > 0;

    public string Describe(IReadOnlyList<DpoExample> train, int totalSteps) =>
        $"{string.Join("+", objective.Terms.Select(t => t.Loss.Name))} on {train.Count} pairs ({eval.Count} held out), {settings.DescribeSteps(totalSteps)}";

    public int Tokens(DpoExample example) => example.Tokens;

    public void BeginStep(IReadOnlyList<DpoExample> batch)
    {
        accumulator.Reset();
        stepPairs = batch.Count;
    }

    public torch.Tensor MicroBatchLoss(IReadOnlyList<DpoExample> micro)
    {
        var logps = DpoBatch.Logps(policy, micro, liveReference, LogProbMode.Train);
        var output = objective.Compute(logps);
        accumulator.Add(output, logps);
        return GradientAccumulation.MicroBatchLoss(output.Losses, stepPairs); // ()
    }

    public (double Loss, IReadOnlyList<KeyValuePair<string, double>> Metrics) EndStep(double microBatchLossSum) => (microBatchLossSum, accumulator.Means());

    public void Observe(StepOutcome outcome, IReadOnlyList<DpoExample> batch)
    {
        var margin = outcome.Metric(MetricNames.RewardsMargins);
        if (outcome.StepsDone == 1 && sanityCheck)
        {
            SanityCheck(outcome.Loss, margin);
        }

        if (detector.Observe(outcome.StepsDone, outcome.Loss, outcome.LearningRate, outcome.GradNorm, margin) is { } plateau)
        {
            context.Log.Warn($"{context.StageName}: {plateau.Message}");
        }
    }

    /// <summary>
    /// Mean loss and preference metrics over the held-out pairs (names prefixed <c>eval_</c> as in TRL), without
    /// gradients. The BCO reward mean is training state: evaluation leaves it as it found it.
    /// </summary>
    public IReadOnlyDictionary<string, double> Evaluate()
    {
        var (rewardMean, rewardCount) = (objective.RewardMean.Mean, objective.RewardMean.Count);
        var evalMetrics = new PreferenceMetricsAccumulator();
        double lossSum = 0;
        foreach (var micro in eval.Chunk(settings.BatchSize))
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var logps = DpoBatch.Logps(policy, micro, liveReference, LogProbMode.Inference);
            var output = objective.Compute(logps);
            lossSum += output.Losses.sum().to_type(torch.ScalarType.Float64).item<double>();
            evalMetrics.Add(output, logps);
        }

        objective.RewardMean.Restore(rewardMean, rewardCount);
        var result = new Dictionary<string, double>(StringComparer.Ordinal) { ["eval_loss"] = lossSum / eval.Count };
        foreach (var (name, value) in evalMetrics.Means())
        {
            result["eval_" + name] = value;
        }

        return result;
    }

    /// <summary>
    /// With policy = reference every implicit reward is 0, so margins are 0 and −log σ(0) = ln 2 for the sigmoid and
    /// robust losses. Anything else means the cache and the policy disagree (another model, tokenizer or template).
    /// </summary>
    private void SanityCheck(double loss, double margin)
    {
        var expectsLn2 = objective.Terms.Count == 1 && objective.Terms[0].Loss.Name is "sigmoid" or "robust";
        var lossText = expectsLn2 ? $"loss {loss:0.000000} (ln 2 = {Math.Log(2):0.000000})" : $"loss {loss:0.000000}";
        if (Math.Abs(margin) > 1e-3 || (expectsLn2 && Math.Abs(loss - Math.Log(2)) > 1e-3))
        {
            context.Log.Warn($"{context.StageName}: sanity check failed at step 0 with policy = reference: {lossText}, rewards/margins " +
                             $"{margin:0.000000} (expected 0). The cached reference log-probs do not match the policy's: check that the " +
                             "cache was computed with the same model, tokenizer and max_length");
            return;
        }

        context.Log.Info($"{context.StageName}: sanity check passed at step 0 with policy = reference: {lossText}, rewards/margins {margin:0.000000}");
    }
}
