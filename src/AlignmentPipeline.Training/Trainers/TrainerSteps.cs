using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Training.Losses;
using AdamW = AlignmentPipeline.Training.Optimization.AdamW;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>The bookkeeping every trainer does after an optimizer step: free memory, checkpoint.</summary>
internal static class TrainerSteps
{
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
