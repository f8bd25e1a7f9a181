using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Training.Losses;
using AlignmentPipeline.Training.Metrics;
using AlignmentPipeline.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;
using AdamW = AlignmentPipeline.Training.Optimization.AdamW;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>
/// The KTO loop: per optimizer step, every micro-batch of unpaired examples is scored (policy in train mode, its
/// mismatched KL completions without gradients, reference values of both from the cache), the KTO losses are summed
/// and divided by the examples of the whole step (<see cref="GradientAccumulation.MicroBatchLoss"/>), backward; then
/// clip, AdamW step, log TRL's KTO metrics, evaluate and checkpoint when due. Checkpoints are the DPO trainer's.
/// </summary>
internal sealed class KtoTrainer(StageContext context, ICausalLanguageModel policy, KtoLossOptions lossOptions, LoopSettings settings, string metricsFile)
{
    private readonly KtoLoss loss = new(lossOptions);

    /// <summary>What the run measured.</summary>
    /// <param name="FirstStepLoss">Loss of step 1, before any update (λ/2 per example when policy = reference); read back
    /// from the logged metrics after a resume.</param>
    /// <param name="FinalLoss">Loss of the last step.</param>
    /// <param name="Eval">The last evaluation's metrics by name, empty without evaluation pairs.</param>
    public sealed record Result(double FirstStepLoss, double FinalLoss, IReadOnlyDictionary<string, double> Eval);

    /// <summary>
    /// Trains on <paramref name="train"/>, evaluating on the held-out <paramref name="eval"/> pairs. With
    /// <paramref name="sanityCheck"/> (policy and reference are the same files) step 1's rewards and KL are checked against 0.
    /// </summary>
    public async Task<Result> TrainAsync(IReadOnlyList<KtoExample> train, IReadOnlyList<KtoPairExamples> eval, bool sanityCheck, CancellationToken cancellationToken = default)
    {
        var log = context.Log;
        var total = settings.TotalSteps(train.Count);
        var schedule = settings.LearningRates(total);
        var order = new DataOrder(train.Count, settings.Seed);
        using var optimizer = AdamW.Create(policy.NamedParameters(), settings.Optimizer);
        long start = 0;
        if (await TrainingCheckpoints.LatestAsync(context, cancellationToken) is { } latest && latest <= total)
        {
            await TrainingCheckpoints.RestoreAsync(context, latest, policy, optimizer, null, metricsFile, cancellationToken);
            start = latest;
            log.Info($"{context.StageName}: resuming from checkpoint {TrainingCheckpoints.Folder(latest)}");
        }

        var firstLoss = double.NaN;
        if (start > 0)
        {
            await using var logged = File.OpenRead(metricsFile);
            firstLoss = (await MetricsJsonl.ReadAsync(logged, cancellationToken)).First(r => r.Step == 1 && r.Get(MetricNames.Loss) is not null).Get(MetricNames.Loss)!.Value;
        }

        log.Info($"{context.StageName}: KTO on {train.Count} examples ({train.Count(e => e.Desirable)} desirable; {eval.Count} pairs held out), " +
                 $"{total} steps of {settings.ExamplesPerStep} ({settings.BatchSize} × {settings.AccumulationSteps} accumulation)");
        policy.Module.train();
        var accumulator = new KtoMetricsAccumulator();
        await using var metricsStream = new FileStream(metricsFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        using var metrics = new MetricsLogger(metricsStream);
        IReadOnlyDictionary<string, double> lastEval = new Dictionary<string, double>();
        var lastLoss = double.NaN;
        for (var step = start; step < total; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var started = context.Time.GetTimestamp();
            var batch = order.StepExamples(step, settings.ExamplesPerStep).Select(i => train[i]).ToArray();
            var learningRate = schedule.At(step);
            double stepLoss = 0, gradNorm, largestReward = 0;
            accumulator.Reset();
            using (var scope = torch.NewDisposeScope())
            {
                optimizer.ZeroGrad();
                foreach (var micro in batch.Chunk(settings.BatchSize))
                {
                    using var microScope = torch.NewDisposeScope();
                    var logps = KtoBatch.Logps(policy, micro, LogProbMode.Train);
                    var output = loss.Compute(logps);
                    var microLoss = GradientAccumulation.MicroBatchLoss(output.Losses, batch.Length); // ()
                    microLoss.backward();
                    stepLoss += microLoss.item<float>();
                    largestReward = Math.Max(largestReward, output.Rewards.abs().max().item<float>());
                    accumulator.Add(output, logps);
                }

                gradNorm = TrainerSteps.ClipAndStep(context, step, settings, optimizer, learningRate);
            }

            var means = accumulator.Means();
            if (step == 0)
            {
                firstLoss = stepLoss;
                if (sanityCheck)
                {
                    SanityCheck(stepLoss, largestReward, means.First(m => m.Key == KtoMetricsAccumulator.Kl).Value, batch);
                }
            }

            lastLoss = stepLoss;
            var seconds = context.Time.GetElapsedTime(started).TotalSeconds;
            metrics.Log(step + 1, order.Epoch(step + 1, settings.ExamplesPerStep),
            [
                new(MetricNames.Loss, stepLoss),
                .. means,
                new(MetricNames.GradNorm, gradNorm),
                new(MetricNames.LearningRate, learningRate),
                new(MetricNames.TokensPerSecond, seconds > 0 ? batch.Sum(e => e.Tokens) / seconds : double.NaN),
            ]);

            var stepsDone = step + 1;
            if (eval.Count > 0 && settings.EvaluatesAfter(stepsDone, total))
            {
                lastEval = Evaluate(eval);
                metrics.Log(stepsDone, order.Epoch(stepsDone, settings.ExamplesPerStep), lastEval);
                log.Info($"{context.StageName}: step {stepsDone} eval_loss {lastEval["eval_loss"]:0.0000}, " +
                         $"eval_rewards/accuracies {lastEval["eval_" + MetricNames.RewardsAccuracies]:0.000}");
            }

            await TrainerSteps.AfterStepAsync(context, stepsDone, total, settings, policy, optimizer, null, metricsFile, metricsStream, cancellationToken);
        }

        return new Result(firstLoss, lastLoss, lastEval);
    }

    /// <summary>
    /// Mean KTO loss over the held-out examples and TRL's paired metrics (prefixed <c>eval_</c>): each pair's
    /// desirable and undesirable examples are scored in the same micro-batch, so <c>eval_rewards/accuracies</c> is the
    /// fraction of pairs whose chosen implicit reward β·log(π/π_ref) strictly exceeds the rejected one. Also <c>eval_kl</c>.
    /// </summary>
    private Dictionary<string, double> Evaluate(IReadOnlyList<KtoPairExamples> eval)
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
