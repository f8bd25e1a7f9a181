using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Models;
using TorchSharp;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>
/// SFT's side of <see cref="TrainingLoop{TExample}"/>: each micro-batch goes through the one log-prob function in train
/// mode and its loss is the NLL of the completion tokens divided by the completion tokens of the whole step (so
/// accumulation never changes the gradient). With packing, each micro-batch runs as packed rows
/// (<see cref="SequencePacking"/>): same loss and gradient, less padding.
/// </summary>
/// <param name="model">The model trained.</param>
/// <param name="settings">The loop settings.</param>
/// <param name="packedRowLength">&gt; 0 packs each micro-batch into rows of at most that many tokens; 0 runs one padded sequence per example.</param>
internal sealed class SftTrainer(ICausalLanguageModel model, LoopSettings settings, int packedRowLength) : ITrainingObjective<LogProbRequest>
{
    private int completionTokens;

    public string Describe(IReadOnlyList<LogProbRequest> train, int totalSteps) =>
        $"SFT on {train.Count} examples, " +
        settings.DescribeSteps(totalSteps, packedRowLength > 0 ? $", packed into rows of up to {packedRowLength} tokens" : "");

    public int Tokens(LogProbRequest example) => example.PromptIds.Count + example.CompletionIds.Count;

    public void BeginStep(IReadOnlyList<LogProbRequest> batch) => completionTokens = Math.Max(1, batch.Sum(e => e.CompletionIds.Count));

    public torch.Tensor MicroBatchLoss(IReadOnlyList<LogProbRequest> micro)
    {
        var logProbSum = packedRowLength > 0
            ? SequencePacking.CompletionLogProbSum(model, micro, packedRowLength) // ()
            : CompletionLogProbs.Compute(model, micro, LogProbMode.Train).Sums.sum(); // ()
        return -logProbSum / completionTokens; // ()
    }

    public (double Loss, IReadOnlyList<KeyValuePair<string, double>> Metrics) EndStep(double microBatchLossSum) => (microBatchLossSum, []);
}
