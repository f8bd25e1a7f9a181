using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Training.Losses;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>Per-sequence log-probs of a micro-batch of KTO examples: the policy's from the one log-prob function, the reference's from the cache.</summary>
internal static class KtoBatch
{
    /// <summary>
    /// Scores the completions of <paramref name="examples"/> under the policy in <paramref name="mode"/> and their
    /// mismatched KL completions without gradients (z₀ is detached, as in TRL); reference values come from each
    /// example's cache entry. Tensors land in the caller's scope, on the policy's device.
    /// </summary>
    public static KtoLogps Logps(ICausalLanguageModel policy, IReadOnlyList<KtoExample> examples, LogProbMode mode)
    {
        var sums = CompletionLogProbs.Compute(policy, [.. examples.Select(e => e.Completion)], mode).Sums; // (B)
        var klSums = CompletionLogProbs.Compute(policy, [.. examples.Select(e => e.KlCompletion)], LogProbMode.Inference).Sums; // (B)
        return new KtoLogps(
            sums,
            tensor(examples.Select(e => (float)e.Reference).ToArray(), device: policy.Device), // (B)
            tensor(examples.Select(e => e.Desirable).ToArray(), device: policy.Device), // (B)
            klSums,
            tensor(examples.Select(e => (float)e.KlReference).ToArray(), device: policy.Device)); // (B)
    }
}
