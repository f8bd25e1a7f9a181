using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Training.Metrics;
using AlignmentPipeline.Training.Optimization;
using TorchSharp;
using AdamW = AlignmentPipeline.Training.Optimization.AdamW;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>
/// The SFT loop: for each optimizer step, forward every micro-batch through the one log-prob function in train mode,
/// take the NLL of the completion tokens divided by the completion tokens of the whole step (so accumulation never
/// changes the gradient), backward, clip, AdamW step at the scheduled rate, log, checkpoint. With packing, each
/// micro-batch runs as packed rows (<see cref="SequencePacking"/>): same loss and gradient, less padding. The optimizer
/// takes the model's trainable parameters (only the adapters when LoRA froze the rest).
/// </summary>
internal static class SftTrainer
{
    /// <summary>
    /// Trains <paramref name="model"/> in place and returns the last step's loss. Resumes from the newest checkpoint.
    /// <paramref name="packedRowLength"/> &gt; 0 packs each micro-batch into rows of at most that many tokens; 0 (default)
    /// runs one padded sequence per example.
    /// </summary>
    public static async Task<double> TrainAsync(
        StageContext context, ICausalLanguageModel model, IReadOnlyList<LogProbRequest> examples, LoopSettings settings,
        string metricsFile, int packedRowLength = 0, CancellationToken cancellationToken = default)
    {
        var log = context.Log;
        var total = settings.TotalSteps(examples.Count);
        var schedule = settings.LearningRates(total);
        var order = new DataOrder(examples.Count, settings.Seed);
        using var optimizer = AdamW.Create(model.NamedParameters(), settings.Optimizer);
        long start = 0;
        if (await TrainingCheckpoints.LatestAsync(context, cancellationToken) is { } latest && latest <= total)
        {
            await TrainingCheckpoints.RestoreAsync(context, latest, model, optimizer, null, metricsFile, cancellationToken);
            start = latest;
            log.Info($"{context.StageName}: resuming from checkpoint {TrainingCheckpoints.Folder(latest)}");
        }

        log.Info($"{context.StageName}: SFT on {examples.Count} examples, {total} steps of {settings.ExamplesPerStep} " +
                 $"({settings.BatchSize} × {settings.AccumulationSteps} accumulation" +
                 (packedRowLength > 0 ? $", packed into rows of up to {packedRowLength} tokens)" : ")"));
        model.Module.train();
        await using var metricsStream = new FileStream(metricsFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        using var metrics = new MetricsLogger(metricsStream);
        var lastLoss = double.NaN;
        for (var step = start; step < total; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var started = context.Time.GetTimestamp();
            var batch = order.StepExamples(step, settings.ExamplesPerStep).Select(i => examples[i]).ToArray();
            var completionTokens = Math.Max(1, batch.Sum(e => e.CompletionIds.Count));
            var learningRate = schedule.At(step);
            double loss = 0, gradNorm;
            using (var scope = torch.NewDisposeScope())
            {
                optimizer.ZeroGrad();
                foreach (var micro in batch.Chunk(settings.BatchSize))
                {
                    using var microScope = torch.NewDisposeScope();
                    var logProbSum = packedRowLength > 0
                        ? SequencePacking.CompletionLogProbSum(model, micro, packedRowLength) // ()
                        : CompletionLogProbs.Compute(model, micro, LogProbMode.Train).Sums.sum(); // ()
                    var microLoss = -logProbSum / completionTokens; // ()
                    microLoss.backward();
                    loss += microLoss.item<float>();
                }

                gradNorm = TrainerSteps.ClipAndStep(context, step, settings, optimizer, learningRate);
            }

            lastLoss = loss;
            var seconds = context.Time.GetElapsedTime(started).TotalSeconds;
            var tokens = batch.Sum(e => e.PromptIds.Count + e.CompletionIds.Count);
            metrics.Log(step + 1, order.Epoch(step + 1, settings.ExamplesPerStep),
            [
                new(MetricNames.Loss, loss),
                new(MetricNames.GradNorm, gradNorm),
                new(MetricNames.LearningRate, learningRate),
                new(MetricNames.TokensPerSecond, seconds > 0 ? tokens / seconds : double.NaN),
            ]);
            await TrainerSteps.AfterStepAsync(context, step + 1, total, settings, model, optimizer, null, metricsFile, metricsStream, cancellationToken);
        }

        return lastLoss;
    }
}
