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
    /// <summary>Upper bound on logits materialised at once (B × chunk × V elements, 64 MB of float32).</summary>
    internal const long MaxLogitElements = 1L << 24;

    /// <summary>
    /// Scores each completion given its prompt. In <see cref="LogProbMode.Train"/> the returned tensors carry
    /// gradients; in <see cref="LogProbMode.Inference"/> no graph is built. Log-softmax runs in float32 over chunks
    /// of completion positions so memory stays bounded for large vocabularies.
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
        var positions = new long[B * Tc]; // hidden-state row that predicts completion token j
        var targets = new long[B * Tc];
        var mask = new float[B * Tc];
        for (var b = 0; b < B; b++)
        {
            var (prompt, completion) = (batch[b].PromptIds, batch[b].CompletionIds);
            for (var t = 0; t < prompt.Count + completion.Count; t++)
            {
                ids[b * T + t] = t < prompt.Count ? prompt[t] : completion[t - prompt.Count];
            }

            for (var j = 0; j < Tc; j++)
            {
                var real = j < completion.Count;
                positions[b * Tc + j] = real ? prompt.Count - 1 + j : 0;
                targets[b * Tc + j] = real ? completion[j] : 0;
                mask[b * Tc + j] = real ? 1 : 0;
            }
        }

        var hidden = model.ForwardHidden(tensor(ids, [B, T], device: device)); // (B, T, C)
        var C = hidden.shape[2];
        var rows = tensor(positions, [B, Tc], device: device); // (B, Tc)
        var completionHidden = hidden.gather(1, rows.unsqueeze(-1).expand(B, Tc, C)); // (B, Tc, C)
        var targetIds = tensor(targets, [B, Tc], device: device); // (B, Tc)
        var chunk = (int)Math.Max(1, maxLogitElements / ((long)B * model.Config.VocabSize));
        var pieces = new List<Tensor>();
        for (var start = 0; start < Tc; start += chunk)
        {
            var n = Math.Min(chunk, Tc - start);
            var logits = model.LmHead(completionHidden.narrow(1, start, n)).to(float32); // (B, n, V)
            var logProbs = logits.log_softmax(-1); // (B, n, V)
            pieces.Add(logProbs.gather(-1, targetIds.narrow(1, start, n).unsqueeze(-1)).squeeze(-1)); // (B, n)
        }

        var maskTensor = tensor(mask, [B, Tc], device: device); // (B, Tc)
        var tokenLogProbs = cat(pieces, 1) * maskTensor; // (B, Tc)
        var sums = tokenLogProbs.sum(-1); // (B)
        return new LogProbBatch(
            sums.MoveToOuterDisposeScope(),
            tokenLogProbs.MoveToOuterDisposeScope(),
            maskTensor.MoveToOuterDisposeScope(),
            batch.Select(r => r.CompletionIds.Count).ToArray());
    }
}
