using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Training.Losses;
using AlignmentPipeline.Training.Optimization;
using AdamW = AlignmentPipeline.Training.Optimization.AdamW;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>What every trainer does around an optimizer step: clip and step, free memory, checkpoint.</summary>
internal static class TrainerSteps
{
    /// <summary>
    /// Clips the accumulated gradients to <see cref="LoopSettings.MaxGradNorm"/> and takes the optimizer step at
    /// <paramref name="learningRate"/>; a non-finite norm skips the update with a warning. Returns the norm before clipping.
    /// </summary>
    public static double ClipAndStep(StageContext context, long step, LoopSettings settings, AdamW optimizer, double learningRate)
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

    /// <summary>Steps between forced garbage collections (AdamW leaves one parameter-sized tensor per step to finalizers).</summary>
    public const int CollectEvery = 4;

    /// <summary>Collects garbage every few steps and writes a checkpoint when one is due (never after the last step).</summary>
    public static async Task AfterStepAsync(
        StageContext context, long stepsDone, long total, LoopSettings settings, ICausalLanguageModel model, AdamW optimizer,
        RunningRewardMean? rewardMean, string metricsFile, Stream metricsStream, CancellationToken cancellationToken = default)
    {
        if (stepsDone % CollectEvery == 0)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        if (settings.CheckpointEvery > 0 && stepsDone % settings.CheckpointEvery == 0 && stepsDone < total)
        {
            await metricsStream.FlushAsync(cancellationToken);
            await TrainingCheckpoints.SaveAsync(context, stepsDone, model, optimizer, rewardMean, metricsFile, cancellationToken);
            context.Log.Info($"{context.StageName}: checkpoint {TrainingCheckpoints.Folder(stepsDone)} saved");
        }
    }
}
