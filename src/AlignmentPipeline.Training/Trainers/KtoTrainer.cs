using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Training.Losses;
using AlignmentPipeline.Training.Metrics;
using AlignmentPipeline.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>
/// KTO's side of <see cref="TrainingLoop{TExample}"/>: each micro-batch of unpaired examples is scored (policy in train
/// mode, its mismatched KL completions without gradients, reference values of both from the cache) and the KTO losses
/// are summed and divided by the examples of the whole step (<see cref="GradientAccumulation.MicroBatchLoss"/>); each
/// step logs TRL's KTO metrics and step 1 is checked against λ/2 per example when policy = reference.
/// </summary>
/// <param name="context">The stage, for its log.</param>
/// <param name="policy">The model trained.</param>
/// <param name="lossOptions">β and the desirable/undesirable weights λ.</param>
/// <param name="settings">The loop settings (micro-batch size of evaluation).</param>
/// <param name="eval">Held-out pairs, each as its desirable and undesirable example.</param>
/// <param name="sanityCheck">Policy and reference are the same model, so step 1's rewards and KL must be 0.</param>
internal sealed class KtoTrainer(
    StageContext context, ICausalLanguageModel policy, KtoLossOptions lossOptions, LoopSettings settings, IReadOnlyList<KtoPairExamples> eval,
    bool sanityCheck) : ITrainingObjective<KtoExample>
{
    private readonly KtoLoss loss = new(lossOptions);
    private readonly KtoMetricsAccumulator accumulator = new();
    private int stepExamples;
    private double largestReward;

    public bool HasEval => eval.Count > 0;

    public string Describe(IReadOnlyList<KtoExample> train, int totalSteps) =>
        $"KTO on {train.Count} examples ({train.Count(e => e.Desirable)} desirable; {eval.Count} pairs held out), {settings.DescribeSteps(totalSteps)}";

    public int Tokens(KtoExample example) => example.Tokens;

    public void BeginStep(IReadOnlyList<KtoExample> batch)
    {
        accumulator.Reset();
        (stepExamples, largestReward) = (batch.Count, 0);
    }

    public Tensor MicroBatchLoss(IReadOnlyList<KtoExample> micro)
    {
        var logps = KtoBatch.Logps(policy, micro, LogProbMode.Train);
        var output = loss.Compute(logps);
        largestReward = Math.Max(largestReward, output.Rewards.abs().max().item<float>());
        accumulator.Add(output, logps);
        return GradientAccumulation.MicroBatchLoss(output.Losses, stepExamples); // ()
    }

    public (double Loss, IReadOnlyList<KeyValuePair<string, double>> Metrics) EndStep(double microBatchLossSum) => (microBatchLossSum, accumulator.Means());

    public void Observe(StepOutcome outcome, IReadOnlyList<KtoExample> batch)
    {
        if (outcome.StepsDone == 1 && sanityCheck)
        {
            SanityCheck(outcome.Loss, largestReward, outcome.Metric(KtoMetricsAccumulator.Kl), batch);
        }
    }

    /// <summary>
    /// Mean KTO loss over the held-out examples and TRL's paired metrics (prefixed <c>eval_</c>): each pair's
    /// desirable and undesirable examples are scored in the same micro-batch, so <c>eval_rewards/accuracies</c> is the
    /// fraction of pairs whose chosen implicit reward β·log(π/π_ref) strictly exceeds the rejected one. Also <c>eval_kl</c>.
    /// </summary>
    public IReadOnlyDictionary<string, double> Evaluate()
    {
        var paired = new PreferenceMetricsAccumulator();
        double lossSum = 0, klSum = 0;
        var batches = 0;
        foreach (var micro in eval.Chunk(Math.Max(1, settings.BatchSize / 2)))
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var n = micro.Length;
            var logps = KtoBatch.Logps(policy, [.. micro.Select(p => p.Desirable), .. micro.Select(p => p.Undesirable)], LogProbMode.Inference);
            var output = loss.Compute(logps);
            lossSum += output.Losses.to_type(ScalarType.Float64).sum().item<double>();
            klSum += output.Kl.to_type(ScalarType.Float64).item<double>();
            batches++;
            var (chosen, rejected) = (output.Rewards.narrow(0, 0, n), output.Rewards.narrow(0, n, n)); // (n), (n)
            var tokens = torch.zeros(n, ScalarType.Int64, policy.Device); // (n): unused by the accumulator
            paired.Add(
                new PreferenceLossOutput(output.Losses, chosen, rejected),
                new PreferenceLogps(logps.Policy.narrow(0, 0, n), logps.Policy.narrow(0, n, n), null, null, tokens, tokens));
        }

        var result = new Dictionary<string, double>(StringComparer.Ordinal) { ["eval_loss"] = lossSum / (2 * eval.Count), ["eval_" + KtoMetricsAccumulator.Kl] = klSum / batches };
        foreach (var (name, value) in paired.Means())
        {
            result["eval_" + name] = value;
        }

        return result;
    }

    /// <summary>
    /// With policy = reference every log-ratio is 0, so the rewards and z₀ are 0 and each example's loss is λ·(1 − σ(0))
    /// = λ/2. Anything else means the cache and the policy disagree (another model, tokenizer or template).
    /// </summary>
    private void SanityCheck(double stepLoss, double largestReward, double kl, IReadOnlyList<KtoExample> batch)
    {
        var expected = batch.Sum(e => (e.Desirable ? lossOptions.DesirableWeight : lossOptions.UndesirableWeight) / 2) / batch.Count;
        var text = $"loss {stepLoss:0.000000} (expected {expected:0.000000}), largest |reward| {largestReward:0.000000}, kl {kl:0.000000}";
        if (largestReward > 1e-3 || Math.Abs(kl) > 1e-3 || Math.Abs(stepLoss - expected) > 1e-3)
        {
            context.Log.Warn($"{context.StageName}: sanity check failed at step 0 with policy = reference: {text} (expected rewards and kl 0). " +
                             "The cached reference log-probs do not match the policy's: check that the cache was computed with the same model, " +
                             "tokenizer and max_length");
            return;
        }

        context.Log.Info($"{context.StageName}: sanity check passed at step 0 with policy = reference: {text}");
    }
}
