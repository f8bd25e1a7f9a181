using AlignmentPipeline.Modeling.Models;
using static TorchSharp.torch;

namespace AlignmentPipeline.Modeling.LogProbs;

/// <summary>
/// THE log-prob function: the reference cache, the trainers and evaluation all call it, so cached and live values
/// cannot drift. Sequences are right-padded internally (causal attention never lets a real token see the padding),
/// and each completion token is scored from the hidden state just before it.
/// </summary>
public static class CompletionLogProbs
{
    /// <summary>Upper bound on logits materialised at once (completion tokens × V elements, 64 MB of float32).</summary>
    internal const long MaxLogitElements = 1L << 24;

    /// <summary>
    /// Scores each completion given its prompt. In <see cref="LogProbMode.Train"/> the returned tensors carry
    /// gradients; in <see cref="LogProbMode.Inference"/> no graph is built. Log-softmax runs in float32 over chunks
    /// of real completion positions (never padding) so memory stays bounded for large vocabularies.
    /// </summary>
    public static LogProbBatch Compute(ICausalLanguageModel model, IReadOnlyList<LogProbRequest> batch, LogProbMode mode) =>
        Compute(model, batch, mode, MaxLogitElements);

    /// <summary><see cref="Compute(ICausalLanguageModel, IReadOnlyList{LogProbRequest}, LogProbMode)"/> with a chosen chunk bound.</summary>
    internal static LogProbBatch Compute(ICausalLanguageModel model, IReadOnlyList<LogProbRequest> batch, LogProbMode mode, long maxLogitElements)
    {
        if (batch.Count == 0 || batch.Any(r => r.PromptIds.Count == 0))
        {
            throw new ArgumentException("log-probs need at least one sequence and every prompt needs at least one token (e.g. BOS)");
        }

        using var inference = mode == LogProbMode.Inference ? inference_mode() : null;
        using var scope = NewDisposeScope();
        var device = model.Device;
        var B = batch.Count;
        var T = batch.Max(r => r.PromptIds.Count + r.CompletionIds.Count);
        var ids = new long[B * T];
        var scoring = new CompletionScoring(batch.Select(r => r.CompletionIds).ToList());
        for (var b = 0; b < B; b++)
        {
            var (prompt, completion) = (batch[b].PromptIds, batch[b].CompletionIds);
            for (var t = 0; t < prompt.Count + completion.Count; t++)
            {
                ids[b * T + t] = t < prompt.Count ? prompt[t] : completion[t - prompt.Count];
            }

            scoring.Add(b, (long)b * T + prompt.Count - 1, (long)b * T + prompt.Count);
        }

        var hidden = model.ForwardHidden(tensor(ids, [B, T], device: device)); // (B, T, C)
        return scoring.Score(model, hidden, maxLogitElements).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Scores several completions of each prompt with the prompt run once: each request becomes one row
    /// <c>[prompt | completion 1 | completion 2 | …]</c> in which a completion's tokens attend to the prompt and to their
    /// own earlier tokens only, at the positions they would have after the prompt alone (prompt length + j). The
    /// numbers equal <see cref="Compute(ICausalLanguageModel, IReadOnlyList{LogProbRequest}, LogProbMode)"/> on
    /// (prompt, completion) within float32 rounding, for the cost of prompt + completions positions instead of
    /// completions × (prompt + completion), and with no intra-pair padding. Rows are right-padded; each prompt +
    /// completion must fit the model's positions, the packed row may be longer.
    /// </summary>
    /// <returns>One sequence per completion, in request order and completion order within a request.</returns>
    public static LogProbBatch ComputeSharedPrompt(ICausalLanguageModel model, IReadOnlyList<SharedPromptRequest> batch, LogProbMode mode)
    {
        if (batch.Count == 0 || batch.Any(r => r.PromptIds.Count == 0 || r.Completions.Count == 0))
        {
            throw new ArgumentException("shared-prompt log-probs need at least one row, and every row a prompt token (e.g. BOS) and a completion");
        }

        using var inference = mode == LogProbMode.Inference ? inference_mode() : null;
        using var scope = NewDisposeScope();
        var device = model.Device;
        var B = batch.Count;
        var T = batch.Max(r => r.PackedLength);
        var ids = new long[B * T];
        var positions = new long[B * T];
        var segments = new long[B * T]; // 0: prompt, k ≥ 1: completion k, −1: padding
        var scoring = new CompletionScoring(batch.SelectMany(r => r.Completions).ToList());
        var sequence = 0;
        for (var b = 0; b < B; b++)
        {
            var (prompt, row) = (batch[b].PromptIds, (long)b * T);
            Array.Fill(segments, -1, b * T, T);
            for (var t = 0; t < prompt.Count; t++)
            {
                (ids[row + t], positions[row + t], segments[row + t]) = (prompt[t], t, 0);
            }

            var start = prompt.Count;
            for (var k = 0; k < batch[b].Completions.Count; k++, sequence++)
            {
                var completion = batch[b].Completions[k];
                for (var j = 0; j < completion.Count; j++)
                {
                    (ids[row + start + j], positions[row + start + j], segments[row + start + j]) = (completion[j], prompt.Count + j, k + 1);
                }

                scoring.Add(sequence, row + prompt.Count - 1, row + start);
                start += completion.Count;
            }
        }

        var segment = tensor(segments, [B, T], device: device); // (B, T)
        var (querySegment, keySegment) = (segment.unsqueeze(2), segment.unsqueeze(1)); // (B, T, 1), (B, 1, T)
        var causal = ones([T, T], @bool, device).tril(); // (T, T)
        var allowed = causal.logical_and(keySegment.eq(0).logical_or(keySegment.eq(querySegment))).unsqueeze(1); // (B, 1, T, T)
        var hidden = model.ForwardHidden(tensor(ids, [B, T], device: device), allowed, tensor(positions, [B, T], device: device)); // (B, T, C)
        return scoring.Score(model, hidden, MaxLogitElements).MoveToOuterDisposeScope();
    }
}
