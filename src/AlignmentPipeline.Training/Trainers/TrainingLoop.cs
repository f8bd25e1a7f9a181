using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Training.Metrics;
using AlignmentPipeline.Training.Optimization;
using TorchSharp;
using AdamW = AlignmentPipeline.Training.Optimization.AdamW;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>
/// The loop every trainer runs (sft, dpo, kto, reward-model), with the objective supplying the forward and the loss:
/// per optimizer step, take the step's examples in <see cref="DataOrder"/>, score each micro-batch and backward its
/// share of the loss (<see cref="GradientAccumulation.MicroBatchLoss"/>), clip, AdamW step at the scheduled rate, log
/// the metrics, evaluate and checkpoint when due. Resumes from the newest checkpoint (weights, optimizer, generator,
/// objective state, data position = step), so a stopped run ends bitwise equal to an uninterrupted one on CPU.
/// </summary>
/// <param name="context">The stage: logs, time, checkpoints in its output folder.</param>
/// <param name="model">The model trained in place; the optimizer takes its trainable parameters.</param>
/// <param name="settings">Batch size, accumulation, schedule, clipping, checkpoint and evaluation periods.</param>
/// <param name="metricsFile">The local <c>metrics.jsonl</c> appended to (restored from a checkpoint on resume).</param>
internal sealed class TrainingLoop<TExample>(StageContext context, ICausalLanguageModel model, LoopSettings settings, string metricsFile)
{
    /// <summary>Steps between forced garbage collections (AdamW leaves one parameter-sized tensor per step to finalizers).</summary>
    public const int CollectEvery = 4;

    /// <summary>What the run measured.</summary>
    /// <param name="FirstStep">Step 1's loss and metrics, computed before any update (read back from the logged
    /// metrics after a resume).</param>
    /// <param name="FinalLoss">Loss of the last step (NaN when a resume found every step done).</param>
    /// <param name="Eval">The last evaluation's metrics by name, empty without held-out examples.</param>
    public sealed record Result(IReadOnlyDictionary<string, double> FirstStep, double FinalLoss, IReadOnlyDictionary<string, double> Eval)
    {
        /// <summary>Step 1's loss.</summary>
        public double FirstStepLoss => FirstStep.GetValueOrDefault(MetricNames.Loss, double.NaN);
    }

    /// <summary>Trains on <paramref name="train"/> with <paramref name="objective"/> for <see cref="LoopSettings.TotalSteps"/> steps.</summary>
    public async Task<Result> RunAsync(IReadOnlyList<TExample> train, ITrainingObjective<TExample> objective, CancellationToken cancellationToken = default)
    {
        var log = context.Log;
        var total = settings.TotalSteps(train.Count);
        var schedule = settings.LearningRates(total);
        var order = new DataOrder(train.Count, settings.Seed);
        using var optimizer = AdamW.Create(model.NamedParameters(), settings.Optimizer);
        long start = 0;
        IReadOnlyDictionary<string, double> firstStep = new Dictionary<string, double>();
        if (await TrainingCheckpoints.LatestAsync(context, cancellationToken) is { } latest && latest <= total)
        {
            await TrainingCheckpoints.RestoreAsync(context, latest, model, optimizer, objective.State, metricsFile, cancellationToken);
            start = latest;
            log.Info($"{context.StageName}: resuming from checkpoint {TrainingCheckpoints.Folder(latest)}");
            await using var logged = File.OpenRead(metricsFile);
            firstStep = (await MetricsJsonl.ReadAsync(logged, cancellationToken)).First(r => r.Step == 1 && r.Get(MetricNames.Loss) is not null).Values;
        }

        log.Info($"{context.StageName}: {objective.Describe(train, total)}");
        model.Module.train();
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
            double microBatchLossSum = 0, gradNorm;
            objective.BeginStep(batch);
            using (var scope = torch.NewDisposeScope())
            {
                optimizer.ZeroGrad();
                foreach (var micro in batch.Chunk(settings.BatchSize))
                {
                    using var microScope = torch.NewDisposeScope();
                    var microLoss = objective.MicroBatchLoss(micro); // ()
                    microLoss.backward();
                    microBatchLossSum += microLoss.item<float>();
                }

                gradNorm = ClipAndStep(step, optimizer, learningRate);
            }

            var (loss, stepMetrics) = objective.EndStep(microBatchLossSum);
            var stepsDone = step + 1;
            if (step == 0)
            {
                firstStep = new Dictionary<string, double>([new(MetricNames.Loss, loss), .. stepMetrics], StringComparer.Ordinal);
            }

            lastLoss = loss;
            var seconds = context.Time.GetElapsedTime(started).TotalSeconds;
            metrics.Log(stepsDone, order.Epoch(stepsDone, settings.ExamplesPerStep),
            [
                new(MetricNames.Loss, loss),
                .. stepMetrics,
                new(MetricNames.GradNorm, gradNorm),
                new(MetricNames.LearningRate, learningRate),
                new(MetricNames.TokensPerSecond, seconds > 0 ? batch.Sum(objective.Tokens) / seconds : double.NaN),
            ]);
            objective.Observe(new StepOutcome(stepsDone, loss, stepMetrics, learningRate, gradNorm), batch);

            if (objective.HasEval && settings.EvaluatesAfter(stepsDone, total))
            {
                lastEval = objective.Evaluate();
                metrics.Log(stepsDone, order.Epoch(stepsDone, settings.ExamplesPerStep), lastEval);
                var accuracy = "eval_" + objective.AccuracyMetric;
                log.Info($"{context.StageName}: step {stepsDone} eval_loss {lastEval["eval_loss"]:0.0000}, {accuracy} {lastEval[accuracy]:0.000}");
            }

            await AfterStepAsync(stepsDone, total, optimizer, objective, metricsStream, cancellationToken);
        }

        return new Result(firstStep, lastLoss, lastEval);
    }

    /// <summary>
    /// Clips the accumulated gradients to <see cref="LoopSettings.MaxGradNorm"/> and takes the optimizer step at
    /// <paramref name="learningRate"/>; a non-finite norm skips the update with a warning. Returns the norm before clipping.
    /// </summary>
    private double ClipAndStep(long step, AdamW optimizer, double learningRate)
    {
        var gradNorm = GradientClipping.ClipByGlobalNorm(optimizer.Parameters, settings.MaxGradNorm);
        if (double.IsFinite(gradNorm))
        {
            optimizer.Step(learningRate);
        }
        else
        {
            context.Log.Warn($"{context.StageName}: step {step + 1} has a non-finite gradient norm; the update is skipped");
        }

        return gradNorm;
    }

    /// <summary>Collects garbage every few steps and writes a checkpoint when one is due (never after the last step).</summary>
    private async Task AfterStepAsync(
        long stepsDone, long total, AdamW optimizer, ITrainingObjective<TExample> objective, Stream metricsStream, CancellationToken cancellationToken)
    {
        if (stepsDone % CollectEvery == 0)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        if (settings.CheckpointEvery > 0 && stepsDone % settings.CheckpointEvery == 0 && stepsDone < total)
        {
            await metricsStream.FlushAsync(cancellationToken);
            await TrainingCheckpoints.SaveAsync(context, stepsDone, model, optimizer, objective.State, metricsFile, cancellationToken);
            context.Log.Info($"{context.StageName}: checkpoint {TrainingCheckpoints.Folder(stepsDone)} saved");
        }
    }
}
