using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Training.Losses;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>Per-sequence log-probs of a micro-batch of pairs: the policy's from the one log-prob function, the reference's from the cache or a live model.</summary>
internal static class DpoBatch
{
    /// <summary>
    /// Scores chosen and rejected completions of <paramref name="examples"/> in one forward (2n sequences) under the
    /// policy in <paramref name="mode"/>; reference values come from <paramref name="liveReference"/> when given, else
    /// from each example's cache row, else are absent (reference-free losses). A live reference runs first, in inference
    /// mode, so its activations are freed before the policy's graph is built rather than stacked on it. Tensors land in
    /// the caller's scope, on the policy's device.
    /// </summary>
    public static PreferenceLogps Logps(ICausalLanguageModel policy, IReadOnlyList<DpoExample> examples, ICausalLanguageModel? liveReference, LogProbMode mode)
    {
        var n = examples.Count;
        LogProbRequest[] requests = [.. examples.Select(e => e.Chosen), .. examples.Select(e => e.Rejected)];
        Tensor? referenceChosen = null, referenceRejected = null;
        if (liveReference is not null)
        {
            var reference = CompletionLogProbs.Compute(liveReference, requests, LogProbMode.Inference).Sums; // (2n)
            (referenceChosen, referenceRejected) = (reference.narrow(0, 0, n), reference.narrow(0, n, n)); // (n), (n)
        }
        else if (examples[0].Cached is not null)
        {
            referenceChosen = tensor(examples.Select(e => (float)e.Cached!.RefChosenLogp).ToArray(), device: policy.Device); // (n)
            referenceRejected = tensor(examples.Select(e => (float)e.Cached!.RefRejectedLogp).ToArray(), device: policy.Device); // (n)
        }

        var sums = CompletionLogProbs.Compute(policy, requests, mode).Sums; // (2n)
        return new PreferenceLogps(
            sums.narrow(0, 0, n), sums.narrow(0, n, n), referenceChosen, referenceRejected,
            tensor(examples.Select(e => (long)e.Chosen.CompletionIds.Count).ToArray(), device: policy.Device), // (n)
            tensor(examples.Select(e => (long)e.Rejected.CompletionIds.Count).ToArray(), device: policy.Device)); // (n)
    }
}
