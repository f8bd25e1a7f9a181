using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Training.Losses;
using AlignmentPipeline.Training.Metrics;
using AlignmentPipeline.Training.Optimization;
using TorchSharp;
using AdamW = AlignmentPipeline.Training.Optimization.AdamW;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>
/// The DPO-family loop: per optimizer step, every micro-batch is scored (policy in train mode, reference from the
/// cache or live), the objective's per-pair losses are summed and divided by the pairs of the whole step
/// (<see cref="GradientAccumulation.MicroBatchLoss"/>), backward; then clip, AdamW step, log TRL metrics, watch for
/// the ln 2 plateau, evaluate and checkpoint when due.
/// </summary>
internal sealed class DpoTrainer(
    StageContext context, ICausalLanguageModel policy, ICausalLanguageModel? liveReference, WeightedPreferenceLoss objective,
    LoopSettings settings, string metricsFile)
{
    /// <summary>What the run measured.</summary>
    /// <param name="FirstStepLoss">Loss of step 1, computed before any update (ln 2 when policy = reference for sigmoid);
    /// read back from the logged metrics after a resume.</param>
    /// <param name="FirstStepMargin">rewards/margins of step 1 (0 when policy = reference).</param>
    /// <param name="FinalLoss">Loss of the last step.</param>
    /// <param name="Eval">The last evaluation's metrics by name, empty without evaluation pairs.</param>
    public sealed record Result(double FirstStepLoss, double FirstStepMargin, double FinalLoss, IReadOnlyDictionary<string, double> Eval);

    /// <summary>
    /// Trains on <paramref name="train"/>, evaluating on <paramref name="eval"/>. With <paramref name="sanityCheck"/>
    /// (policy and reference are the same files) step 1's loss and margins are checked against ln 2 and 0 and logged.
    /// </summary>
    public async Task<Result> TrainAsync(IReadOnlyList<DpoExample> train, IReadOnlyList<DpoExample> eval, bool sanityCheck, CancellationToken cancellationToken = default)
    {
        var log = context.Log;
        var total = settings.TotalSteps(train.Count);
        var schedule = settings.LearningRates(total);
        var order = new DataOrder(train.Count, settings.Seed);
        using var optimizer = AdamW.Create(policy.NamedParameters(), settings.Optimizer);
        long start = 0;
        if (await TrainingCheckpoints.LatestAsync(context, cancellationToken) is { } latest && latest <= total)
        {
            await TrainingCheckpoints.RestoreAsync(context, latest, policy, optimizer, objective.RewardMean, metricsFile, cancellationToken);
            start = latest;
            log.Info($"{context.StageName}: resuming from checkpoint {TrainingCheckpoints.Folder(latest)}");
        }

        double firstLoss = double.NaN, firstMargin = double.NaN, lastLoss = double.NaN;
        if (start > 0)
        {
            await using var logged = File.OpenRead(metricsFile);
            var first = (await MetricsJsonl.ReadAsync(logged, cancellationToken)).First(r => r.Step == 1 && r.Get(MetricNames.Loss) is not null);
            (firstLoss, firstMargin) = (first.Get(MetricNames.Loss)!.Value, first.Get(MetricNames.RewardsMargins)!.Value);
        }

        log.Info($"{context.StageName}: {string.Join("+", objective.Terms.Select(t => t.Loss.Name))} on {train.Count} pairs " +
                 $"({eval.Count} held out), {total} steps of {settings.ExamplesPerStep} ({settings.BatchSize} × {settings.AccumulationSteps} accumulation)");
        policy.Module.train();
        var accumulator = new PreferenceMetricsAccumulator();
        var detector = new DpoLossPlateauDetector();
        await using var metricsStream = new FileStream(metricsFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        using var metrics = new MetricsLogger(metricsStream);
        IReadOnlyDictionary<string, double> lastEval = new Dictionary<string, double>();
        for (var step = start; step < total; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var started = context.Time.GetTimestamp();
            var batch = order.StepExamples(step, settings.ExamplesPerStep).Select(i => train[i]).ToArray();
            var learningRate = schedule.At(step);
            double loss = 0, gradNorm;
            accumulator.Reset();
            using (var scope = torch.NewDisposeScope())
            {
                optimizer.ZeroGrad();
                foreach (var micro in batch.Chunk(settings.BatchSize))
                {
                    using var microScope = torch.NewDisposeScope();
                    var logps = DpoBatch.Logps(policy, micro, liveReference, LogProbMode.Train);
                    var output = objective.Compute(logps);
                    var microLoss = GradientAccumulation.MicroBatchLoss(output.Losses, batch.Length); // ()
                    microLoss.backward();
                    loss += microLoss.item<float>();
                    accumulator.Add(output, logps);
                }

                gradNorm = TrainerSteps.ClipAndStep(context, step, settings, optimizer, learningRate);
            }

            var means = accumulator.Means();
            var margin = means.First(m => m.Key == MetricNames.RewardsMargins).Value;
            if (step == 0)
            {
                (firstLoss, firstMargin) = (loss, margin);
                if (sanityCheck)
                {
                    SanityCheck(loss, margin);
                }
            }

            lastLoss = loss;
            var seconds = context.Time.GetElapsedTime(started).TotalSeconds;
            metrics.Log(step + 1, order.Epoch(step + 1, settings.ExamplesPerStep),
            [
                new(MetricNames.Loss, loss),
                .. means,
                new(MetricNames.GradNorm, gradNorm),
                new(MetricNames.LearningRate, learningRate),
                new(MetricNames.TokensPerSecond, seconds > 0 ? batch.Sum(e => e.Tokens) / seconds : double.NaN),
            ]);
            if (detector.Observe(step + 1, loss, learningRate, gradNorm, margin) is { } plateau)
            {
                log.Warn($"{context.StageName}: {plateau.Message}");
            }

            var stepsDone = step + 1;
            if (eval.Count > 0 && settings.EvaluatesAfter(stepsDone, total))
            {
                lastEval = Evaluate(eval);
                metrics.Log(stepsDone, order.Epoch(stepsDone, settings.ExamplesPerStep), lastEval);
                log.Info($"{context.StageName}: step {stepsDone} eval_loss {lastEval["eval_loss"]:0.0000}, " +
                         $"eval_rewards/accuracies {lastEval["eval_" + MetricNames.RewardsAccuracies]:0.000}");
            }

            await TrainerSteps.AfterStepAsync(context, stepsDone, total, settings, policy, optimizer, objective.RewardMean, metricsFile, metricsStream, cancellationToken);
        }

        return new Result(firstLoss, firstMargin, lastLoss, lastEval);
    }

    /// <summary>
    /// Mean loss and preference metrics over the held-out pairs (names prefixed <c>eval_</c> as in TRL), without
    /// gradients. The BCO reward mean is training state: evaluation leaves it as it found it.
    /// </summary>
    private IReadOnlyDictionary<string, double> Evaluate(IReadOnlyList<DpoExample> eval)
    {
        var (rewardMean, rewardCount) = (objective.RewardMean.Mean, objective.RewardMean.Count);
        var accumulator = new PreferenceMetricsAccumulator();
        double lossSum = 0;
        foreach (var micro in eval.Chunk(settings.BatchSize))
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var logps = DpoBatch.Logps(policy, micro, liveReference, LogProbMode.Inference);
            var output = objective.Compute(logps);
            lossSum += output.Losses.sum().to_type(torch.ScalarType.Float64).item<double>();
            accumulator.Add(output, logps);
        }

        objective.RewardMean.Restore(rewardMean, rewardCount);
        var result = new Dictionary<string, double>(StringComparer.Ordinal) { ["eval_loss"] = lossSum / eval.Count };
        foreach (var (name, value) in accumulator.Means())
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
