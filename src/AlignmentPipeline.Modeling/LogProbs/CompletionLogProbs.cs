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
        var Tc = Math.Max(1, batch.Max(r => r.CompletionIds.Count));

        var ids = new long[B * T];
        var completionTokens = batch.Sum(r => r.CompletionIds.Count);
        var hiddenRows = new long[completionTokens]; // flat (b, t) hidden-state row that predicts each completion token
        var targets = new long[completionTokens];
        var slots = new long[completionTokens]; // where each token's log-prob goes in the (B, Tc) result
        var mask = new float[B * Tc];
        var n = 0;
        for (var b = 0; b < B; b++)
        {
            var (prompt, completion) = (batch[b].PromptIds, batch[b].CompletionIds);
            for (var t = 0; t < prompt.Count + completion.Count; t++)
            {
                ids[b * T + t] = t < prompt.Count ? prompt[t] : completion[t - prompt.Count];
            }

            for (var j = 0; j < completion.Count; j++, n++)
            {
                hiddenRows[n] = (long)b * T + prompt.Count - 1 + j;
                targets[n] = completion[j];
                slots[n] = (long)b * Tc + j;
                mask[b * Tc + j] = 1;
            }
        }

        // Only real completion positions reach the LM head: padding would cost B × Tc × V multiply-adds for nothing.
        var hidden = model.ForwardHidden(tensor(ids, [B, T], device: device)); // (B, T, C)
        var C = hidden.shape[2];
        var completionHidden = hidden.reshape(B * T, C).index_select(0, tensor(hiddenRows, device: device)); // (N, C)
        var targetIds = tensor(targets, device: device); // (N)
        var chunk = (int)Math.Max(1, maxLogitElements / model.Config.VocabSize);
        var pieces = new List<Tensor>();
        for (var start = 0; start < completionTokens; start += chunk)
        {
            var rows = Math.Min(chunk, completionTokens - start);
            var logits = model.LmHead(completionHidden.narrow(0, start, rows)).to(float32); // (rows, V)
            var logProbs = logits.log_softmax(-1); // (rows, V)
            pieces.Add(logProbs.gather(-1, targetIds.narrow(0, start, rows).unsqueeze(-1)).squeeze(-1)); // (rows)
        }

        var flat = pieces.Count == 0 ? zeros(0, dtype: float32, device: device) : cat(pieces, 0); // (N)
        var tokenLogProbs = zeros(B * Tc, dtype: float32, device: device)
            .index_copy(0, tensor(slots, device: device), flat)
            .reshape(B, Tc); // (B, Tc), zero at padding
        var maskTensor = tensor(mask, [B, Tc], device: device); // (B, Tc)
        var sums = tokenLogProbs.sum(-1); // (B)
        return new LogProbBatch(
            sums.MoveToOuterDisposeScope(),
            tokenLogProbs.MoveToOuterDisposeScope(),
            maskTensor.MoveToOuterDisposeScope(),
            batch.Select(r => r.CompletionIds.Count).ToArray());
    }
}
