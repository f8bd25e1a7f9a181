using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Models;
using static TorchSharp.torch;

namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>
/// Completion log-probs with the prompt run once per pair. The prompts of P pairs are left-padded and run into a KV
/// cache; its keys and values are repeated for the two completions of each pair, and the 2P right-padded completions
/// run against them. Completion token j is scored from the hidden state before it (the prompt's last state for j = 0),
/// with the same float32 log-softmax as <see cref="CompletionLogProbs"/>, so results agree within float32 rounding.
/// </summary>
internal static class PrefixSharedLogProbs
{
    /// <summary>
    /// Groups of indexes into <paramref name="pairs"/>: longest prompts first; a group's padded cost,
    /// 2 × pairs × (longest prompt + longest completion), stays ≤ <paramref name="tokenBudget"/> (a larger pair runs
    /// alone) and its padded width fits the model.
    /// </summary>
    public static IReadOnlyList<int[]> Plan(IReadOnlyList<EncodedPair> pairs, int tokenBudget, int maxSequenceLength)
    {
        var order = Enumerable.Range(0, pairs.Count)
            .OrderByDescending(i => pairs[i].PromptIds.Count).ThenByDescending(i => Completion(pairs[i])).ThenBy(i => i);
        var groups = new List<int[]>();
        var current = new List<int>();
        int promptMax = 0, completionMax = 0;
        foreach (var index in order)
        {
            var (p, c) = (Math.Max(promptMax, pairs[index].PromptIds.Count), Math.Max(completionMax, Completion(pairs[index])));
            if (current.Count > 0 && (2L * (current.Count + 1) * (p + c) > tokenBudget || p + c > maxSequenceLength))
            {
                groups.Add([.. current]);
                current.Clear();
                (p, c) = (pairs[index].PromptIds.Count, Completion(pairs[index]));
            }

            current.Add(index);
            (promptMax, completionMax) = (p, c);
        }

        if (current.Count > 0)
        {
            groups.Add([.. current]);
        }

        return groups;
    }

    /// <summary>Scores one group (every pair must share its prompt ids between chosen and rejected).</summary>
    public static IReadOnlyList<PairLogProbs> Compute(ICausalLanguageModel model, IReadOnlyList<EncodedPair> pairs)
    {
        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        var device = model.Device;
        var P = pairs.Count;
        var Tp = pairs.Max(p => p.PromptIds.Count);
        var Tc = Math.Max(1, pairs.Max(Completion));
        var completions = pairs.SelectMany(p => new[] { p.ChosenIds, p.RejectedIds }).ToList();

        var promptIds = new long[P * Tp];
        var promptMask = new long[P * Tp];
        for (var b = 0; b < P; b++)
        {
            var prompt = pairs[b].PromptIds;
            for (var t = 0; t < prompt.Count; t++)
            {
                promptIds[b * Tp + Tp - prompt.Count + t] = prompt[t];
                promptMask[b * Tp + Tp - prompt.Count + t] = 1;
            }
        }

        var completionIds = new long[2 * P * Tc];
        var completionMask = new long[2 * P * Tc];
        for (var s = 0; s < 2 * P; s++)
        {
            for (var t = 0; t < completions[s].Count; t++)
            {
                completionIds[s * Tc + t] = completions[s][t];
                completionMask[s * Tc + t] = 1;
            }
        }

        var promptMaskTensor = tensor(promptMask, [P, Tp], device: device); // (P, Tp)
        using var promptCache = model.CreateCache(P, Tp);
        var promptHidden = model.ForwardHidden(tensor(promptIds, [P, Tp], device: device), promptMaskTensor, cache: promptCache); // (P, Tp, C)

        using var cache = model.CreateCache(2 * P, Tp + Tc);
        var (layers, kvHeads, headDim) = CacheShape(model.Config);
        var none = zeros([P, kvHeads, 0, headDim], model.DType, device); // (P, nKv, 0, hd)
        for (var layer = 0; layer < layers; layer++)
        {
            var (keys, values) = promptCache.Append(layer, none, none); // (P, nKv, Tp, hd) each
            cache.Append(layer, keys.repeat_interleave(2, dim: 0), values.repeat_interleave(2, dim: 0)); // (2P, nKv, Tp, hd)
        }

        cache.Advance(Tp);
        var mask = cat([promptMaskTensor.repeat_interleave(2, dim: 0), tensor(completionMask, [2 * P, Tc], device: device)], 1); // (2P, Tp + Tc)
        var completionHidden = model.ForwardHidden(tensor(completionIds, [2 * P, Tc], device: device), mask, cache: cache); // (2P, Tc, C)

        var last = promptHidden.narrow(1, Tp - 1, 1).repeat_interleave(2, dim: 0); // (2P, 1, C)
        var predicting = cat([last, completionHidden.narrow(1, 0, Tc - 1)], 1); // (2P, Tc, C): row j predicts token j
        var targets = tensor(completionIds, [2 * P, Tc], device: device); // (2P, Tc)
        var chunk = (int)Math.Max(1, CompletionLogProbs.MaxLogitElements / (2L * P * model.Config.VocabSize));
        var pieces = new List<Tensor>();
        for (var start = 0; start < Tc; start += chunk)
        {
            var n = Math.Min(chunk, Tc - start);
            var logProbs = model.LmHead(predicting.narrow(1, start, n)).to(float32).log_softmax(-1); // (2P, n, V)
            pieces.Add(logProbs.gather(-1, targets.narrow(1, start, n).unsqueeze(-1)).squeeze(-1)); // (2P, n)
        }

        var maskFloat = tensor(completionMask, [2 * P, Tc], device: device).to(float32); // (2P, Tc)
        var tokenLogProbs = cat(pieces, 1) * maskFloat; // (2P, Tc)
        var sequences = new LogProbBatch(tokenLogProbs.sum(-1), tokenLogProbs, maskFloat, completions.Select(c => c.Count).ToArray())
            .ToSequences();
        return Enumerable.Range(0, P).Select(b => new PairLogProbs(sequences[2 * b], sequences[2 * b + 1])).ToList();
    }

    private static int Completion(EncodedPair pair) => Math.Max(pair.ChosenIds.Count, pair.RejectedIds.Count);

    private static (int Layers, int KvHeads, int HeadDim) CacheShape(ICausalLanguageModelConfig config) => config switch
    {
        LlamaConfig llama => (llama.NumLayers, llama.NumKvHeads, llama.ResolvedHeadDim),
        Gpt2Config gpt2 => (gpt2.NumLayers, gpt2.NumHeads, gpt2.HiddenSize / gpt2.NumHeads),
        _ => throw new NotSupportedException($"prefix sharing does not know the KV cache layout of '{config.ModelType}' models"),
    };
}
