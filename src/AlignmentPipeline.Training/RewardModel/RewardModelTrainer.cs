using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Training.Metrics;
using AlignmentPipeline.Training.Optimization;
using AlignmentPipeline.Training.Trainers;
using TorchSharp;
using AdamW = AlignmentPipeline.Training.Optimization.AdamW;

namespace AlignmentPipeline.Training.RewardModel;

/// <summary>
/// The reward-model loop: per optimizer step, every micro-batch's chosen and rejected sequences are scored in one
/// forward (2n sequences), the Bradley–Terry losses are summed and divided by the pairs of the whole step
/// (<see cref="GradientAccumulation.MicroBatchLoss"/>), backward; then clip, AdamW step, log, evaluate and checkpoint
/// when due. Resumes from the newest checkpoint (weights with the head, AdamW state, generator, data position).
/// </summary>
internal sealed class RewardModelTrainer(
    StageContext context, ScalarRewardModel model, LoopSettings settings, double centerCoefficient, string metricsFile)
{
    /// <summary>What a finished run reports.</summary>
    /// <param name="FirstStepLoss">Loss of step 1 (ln 2 ≈ 0.6931 when the fresh head scores both sides alike).</param>
    /// <param name="FinalLoss">Loss of the last step.</param>
    /// <param name="Eval">The last evaluation's metrics by name, empty without evaluation pairs.</param>
    public sealed record Result(double FirstStepLoss, double FinalLoss, IReadOnlyDictionary<string, double> Eval);

    /// <summary>Trains on <paramref name="train"/>, evaluating on <paramref name="eval"/> every eval_every steps and after the last.</summary>
    public async Task<Result> TrainAsync(IReadOnlyList<RewardPair> train, IReadOnlyList<RewardPair> eval, CancellationToken cancellationToken = default)
    {
        var log = context.Log;
        var total = settings.TotalSteps(train.Count);
        var schedule = settings.LearningRates(total);
        var order = new DataOrder(train.Count, settings.Seed);
        using var optimizer = AdamW.Create(model.NamedParameters(), settings.Optimizer);
        long start = 0;
        if (await TrainingCheckpoints.LatestAsync(context, cancellationToken) is { } latest && latest <= total)
        {
            await TrainingCheckpoints.RestoreAsync(context, latest, model, optimizer, null, metricsFile, cancellationToken);
            start = latest;
            log.Info($"{context.StageName}: resuming from checkpoint {TrainingCheckpoints.Folder(latest)}");
        }

        double firstLoss = double.NaN, lastLoss = double.NaN;
        if (start > 0)
        {
            await using var logged = File.OpenRead(metricsFile);
            firstLoss = (await MetricsJsonl.ReadAsync(logged, cancellationToken)).First(r => r.Step == 1 && r.Get(MetricNames.Loss) is not null).Get(MetricNames.Loss)!.Value;
        }

        log.Info($"{context.StageName}: Bradley–Terry reward model on {train.Count} pairs ({eval.Count} held out), {total} steps of " +
                 $"{settings.ExamplesPerStep} ({settings.BatchSize} × {settings.AccumulationSteps} accumulation)");
        model.train();
        await using var metricsStream = new FileStream(metricsFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        using var metrics = new MetricsLogger(metricsStream);
        IReadOnlyDictionary<string, double> lastEval = new Dictionary<string, double>();
        for (var step = start; step < total; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var started = context.Time.GetTimestamp();
            var batch = order.StepExamples(step, settings.ExamplesPerStep).Select(i => train[i]).ToArray();
            var learningRate = schedule.At(step);
            var stepMetrics = new RewardMetrics();
            double gradNorm;
            using (var scope = torch.NewDisposeScope())
            {
                optimizer.ZeroGrad();
                foreach (var micro in batch.Chunk(settings.BatchSize))
                {
                    using var microScope = torch.NewDisposeScope();
                    var (losses, chosen, rejected) = Score(micro);
                    GradientAccumulation.MicroBatchLoss(losses, batch.Length).backward(); // ()
                    stepMetrics.Add(losses, chosen, rejected);
                }

                gradNorm = TrainerSteps.ClipAndStep(context, step, settings, optimizer, learningRate);
            }

            lastLoss = stepMetrics.Loss;
            if (step == 0)
            {
                firstLoss = lastLoss;
            }

            var seconds = context.Time.GetElapsedTime(started).TotalSeconds;
            metrics.Log(step + 1, order.Epoch(step + 1, settings.ExamplesPerStep),
            [
                new(MetricNames.Loss, lastLoss),
                .. stepMetrics.Means(),
                new(MetricNames.GradNorm, gradNorm),
                new(MetricNames.LearningRate, learningRate),
                new(MetricNames.TokensPerSecond, seconds > 0 ? batch.Sum(p => p.Tokens) / seconds : double.NaN),
            ]);

            var stepsDone = step + 1;
            if (eval.Count > 0 && settings.EvaluatesAfter(stepsDone, total))
            {
                lastEval = Evaluate(eval);
                metrics.Log(stepsDone, order.Epoch(stepsDone, settings.ExamplesPerStep), lastEval);
                log.Info($"{context.StageName}: step {stepsDone} eval_loss {lastEval["eval_loss"]:0.0000}, " +
                         $"eval_accuracy {lastEval["eval_" + RewardMetrics.Accuracy]:0.000}");
            }

            await TrainerSteps.AfterStepAsync(context, stepsDone, total, settings, model, optimizer, null, metricsFile, metricsStream, cancellationToken);
        }

        return new Result(firstLoss, lastLoss, lastEval);
    }

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
    private IReadOnlyDictionary<string, double> Evaluate(IReadOnlyList<RewardPair> eval)
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
