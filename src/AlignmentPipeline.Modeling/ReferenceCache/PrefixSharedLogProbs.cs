using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Models;
using static TorchSharp.torch;

namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>
/// Completion log-probs with the prompt run once per pair. A group's prompts are right-padded and run once, in chunks
/// under the token budget, into the group's keys and values (plain causal attention: a real token never sees the
/// padding after it). The group's 2P completions are then sorted by length and scored in sub-batches under the budget,
/// each against the prompt keys and values of its own pair gathered from the group's, so neither a prompt nor a short
/// completion pays for a long one's padding.
/// Completion token j is scored from the hidden state before it (the prompt's last state for j = 0), with the same
/// float32 log-softmax as <see cref="CompletionLogProbs"/>, so results agree within float32 rounding.
/// </summary>
internal static class PrefixSharedLogProbs
{
    /// <summary>
    /// How many token budgets of prompt keys and values a group keeps: more sequences to sort by completion length
    /// means less completion padding; the prompts themselves still run in chunks under one budget.
    /// </summary>
    public const int GroupBudgets = 4;

    /// <summary>
    /// Prompt groups as indexes into <paramref name="pairs"/>: longest prompts first, pairs × longest prompt ≤
    /// <see cref="GroupBudgets"/> × <paramref name="tokenBudget"/> (a longer prompt runs alone).
    /// </summary>
    public static IReadOnlyList<int[]> Plan(IReadOnlyList<EncodedPair> pairs, int tokenBudget) =>
        LengthBuckets.Plan([.. pairs.Select(p => p.PromptIds.Count)], (int)Math.Min(int.MaxValue, (long)GroupBudgets * tokenBudget));

    /// <summary>
    /// Completion sub-batches of one group as sequence indexes (2b: pair b's chosen, 2b + 1: its rejected): longest
    /// completions first; a sub-batch's cached-plus-new width, longest prompt + longest completion, times its size stays
    /// ≤ <paramref name="tokenBudget"/> (a larger sequence runs alone), and the width fits the model.
    /// </summary>
    public static IReadOnlyList<int[]> CompletionPlan(IReadOnlyList<EncodedPair> pairs, int tokenBudget, int maxSequenceLength)
    {
        var order = Enumerable.Range(0, 2 * pairs.Count).OrderByDescending(s => Completion(pairs, s).Count).ThenBy(s => s);
        var batches = new List<int[]>();
        var current = new List<int>();
        var (promptMax, completionMax) = (0, 0);
        foreach (var s in order)
        {
            var prompt = Math.Max(promptMax, pairs[s / 2].PromptIds.Count);
            var width = prompt + (current.Count == 0 ? Completion(pairs, s).Count : completionMax);
            if (current.Count > 0 && ((long)(current.Count + 1) * width > tokenBudget || width > maxSequenceLength))
            {
                batches.Add([.. current]);
                current.Clear();
                prompt = pairs[s / 2].PromptIds.Count;
            }

            if (current.Count == 0)
            {
                completionMax = Completion(pairs, s).Count;
            }

            current.Add(s);
            promptMax = prompt;
        }

        if (current.Count > 0)
        {
            batches.Add([.. current]);
        }

        return batches;
    }

    /// <summary>
    /// Scores one prompt group (every pair must share its prompt ids between chosen and rejected); returns the pairs'
    /// log-probs, the forward passes run (prompt chunks under the budget, then completion sub-batches) and the token
    /// positions they ran (padding included; cached prompt keys are not run again and do not count).
    /// </summary>
    public static (IReadOnlyList<PairLogProbs> Pairs, int Forwards, long Positions) Compute(ICausalLanguageModel model, IReadOnlyList<EncodedPair> pairs, int tokenBudget)
    {
        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        var device = model.Device;
        var P = pairs.Count;
        var Tp = pairs.Max(p => p.PromptIds.Count);
        var (layers, kvHeads, headDim, C) = Shape(model.Config);
        var promptKv = Enumerable.Range(0, layers)
            .Select(_ => (Keys: zeros([P, kvHeads, Tp, headDim], model.DType, device), Values: zeros([P, kvHeads, Tp, headDim], model.DType, device))) // (P, nKv, Tp, hd) each
            .ToList();
        var lastHidden = zeros([P, 1, C], model.DType, device); // (P, 1, C): each prompt's last hidden state

        var (forwards, positions) = (0, 0L);
        foreach (var chunk in LengthBuckets.Plan([.. pairs.Select(p => p.PromptIds.Count)], tokenBudget))
        {
            RunPrompts(model, pairs, chunk, promptKv, lastHidden);
            forwards++;
            positions += (long)chunk.Length * chunk.Max(b => pairs[b].PromptIds.Count);
        }

        var sequences = new SequenceLogProb[2 * P];
        foreach (var batch in CompletionPlan(pairs, tokenBudget, model.Config.MaxSequenceLength))
        {
            // Longest first: a batch whose longest completion is empty scores nothing and needs no forward.
            var empty = Completion(pairs, batch[0]).Count == 0;
            var scored = empty ? batch.Select(_ => new SequenceLogProb(0, [], 0)).ToList() : ScoreCompletions(model, pairs, batch, lastHidden, promptKv);
            forwards += empty ? 0 : 1;
            positions += empty ? 0 : (long)batch.Length * Completion(pairs, batch[0]).Count;
            for (var k = 0; k < batch.Length; k++)
            {
                sequences[batch[k]] = scored[k];
            }
        }

        return (Enumerable.Range(0, P).Select(b => new PairLogProbs(sequences[2 * b], sequences[2 * b + 1])).ToList(), forwards, positions);
    }

    /// <summary>
    /// Runs the right-padded prompts of <paramref name="chunk"/> (plain causal attention) and copies their keys, values
    /// and last hidden states into the group's rows.
    /// </summary>
    private static void RunPrompts(
        ICausalLanguageModel model, IReadOnlyList<EncodedPair> pairs, int[] chunk, IReadOnlyList<(Tensor Keys, Tensor Values)> promptKv, Tensor lastHidden)
    {
        using var scope = NewDisposeScope();
        var device = model.Device;
        var (n, Tp) = (chunk.Length, chunk.Max(b => pairs[b].PromptIds.Count));
        var ids = new long[n * Tp];
        for (var k = 0; k < n; k++)
        {
            var prompt = pairs[chunk[k]].PromptIds;
            for (var t = 0; t < prompt.Count; t++)
            {
                ids[k * Tp + t] = prompt[t];
            }
        }

        using var cache = model.CreateCache(n, Tp);
        var hidden = model.ForwardHidden(tensor(ids, [n, Tp], device: device), cache: cache); // (n, Tp, C)
        var rows = tensor(chunk.Select(b => (long)b).ToArray(), [n], device: device); // (n)
        var last = tensor(chunk.Select(b => (long)pairs[b].PromptIds.Count - 1).ToArray(), [n, 1, 1], device: device); // (n, 1, 1)
        lastHidden.index_copy_(0, rows, hidden.gather(1, last.expand(n, 1, hidden.shape[2]))); // (n, 1, C) into (P, 1, C)
        var (_, kvHeads, headDim, _) = Shape(model.Config);
        var none = zeros([n, kvHeads, 0, headDim], model.DType, device); // (n, nKv, 0, hd)
        for (var layer = 0; layer < promptKv.Count; layer++)
        {
            var (keys, values) = cache.Append(layer, none, none); // (n, nKv, Tp, hd) each
            promptKv[layer].Keys.narrow(2, 0, Tp).index_copy_(0, rows, keys);
            promptKv[layer].Values.narrow(2, 0, Tp).index_copy_(0, rows, values);
        }
    }

    /// <summary>One sub-batch (longest completion ≥ 1 token): each completion right-padded after its pair's cached prompt keys and values.</summary>
    private static IReadOnlyList<SequenceLogProb> ScoreCompletions(
        ICausalLanguageModel model, IReadOnlyList<EncodedPair> pairs, int[] batch, Tensor lastHidden, IReadOnlyList<(Tensor Keys, Tensor Values)> promptKv)
    {
        using var scope = NewDisposeScope();
        var device = model.Device;
        var n = batch.Length;
        var owners = batch.Select(s => (long)(s / 2)).ToArray();
        var Tp = batch.Max(s => pairs[s / 2].PromptIds.Count);
        var Tc = batch.Max(s => Completion(pairs, s).Count);

        var ids = new long[n * Tc];
        var completionMask = new long[n * Tc];
        var mask = new long[n * (Tp + Tc)];
        for (var k = 0; k < n; k++)
        {
            var (prompt, completion) = (pairs[batch[k] / 2].PromptIds.Count, Completion(pairs, batch[k]));
            for (var t = 0; t < prompt; t++)
            {
                mask[k * (Tp + Tc) + t] = 1;
            }

            for (var t = 0; t < completion.Count; t++)
            {
                ids[k * Tc + t] = completion[t];
                completionMask[k * Tc + t] = 1;
                mask[k * (Tp + Tc) + Tp + t] = 1;
            }
        }

        var rows = tensor(owners, [n], device: device); // (n)
        using var cache = model.CreateCache(n, Tp + Tc);
        for (var layer = 0; layer < promptKv.Count; layer++)
        {
            var (keys, values) = promptKv[layer];
            cache.Append(layer, keys.index_select(0, rows).narrow(2, 0, Tp), values.index_select(0, rows).narrow(2, 0, Tp)); // (n, nKv, Tp, hd) each
        }

        cache.Advance(Tp);
        // Positions follow from the mask (cumsum − 1): completion token j of a prompt of length L sits at L + j.
        var hidden = model.ForwardHidden(tensor(ids, [n, Tc], device: device), tensor(mask, [n, Tp + Tc], device: device), cache: cache); // (n, Tc, C)
        var predicting = cat([lastHidden.index_select(0, rows), hidden.narrow(1, 0, Tc - 1)], 1); // (n, Tc, C): row j predicts token j
        var targets = tensor(ids, [n, Tc], device: device); // (n, Tc)
        var chunk = (int)Math.Max(1, CompletionLogProbs.MaxLogitElements / ((long)n * model.Config.VocabSize));
        var pieces = new List<Tensor>();
        for (var start = 0; start < Tc; start += chunk)
        {
            var width = Math.Min(chunk, Tc - start);
            var logProbs = model.LmHead(predicting.narrow(1, start, width)).to(float32).log_softmax(-1); // (n, width, V)
            pieces.Add(logProbs.gather(-1, targets.narrow(1, start, width).unsqueeze(-1)).squeeze(-1)); // (n, width)
        }

        var maskFloat = tensor(completionMask, [n, Tc], device: device).to(float32); // (n, Tc)
        var tokenLogProbs = cat(pieces, 1) * maskFloat; // (n, Tc)
        return new LogProbBatch(tokenLogProbs.sum(-1), tokenLogProbs, maskFloat, batch.Select(s => Completion(pairs, s).Count).ToArray()).ToSequences();
    }

    private static IReadOnlyList<int> Completion(IReadOnlyList<EncodedPair> pairs, int sequence) =>
        sequence % 2 == 0 ? pairs[sequence / 2].ChosenIds : pairs[sequence / 2].RejectedIds;

    /// <summary>The KV cache layout and the hidden size.</summary>
    private static (int Layers, int KvHeads, int HeadDim, int Hidden) Shape(ICausalLanguageModelConfig config) => config switch
    {
        LlamaConfig llama => (llama.NumLayers, llama.NumKvHeads, llama.ResolvedHeadDim, llama.HiddenSize),
        Gpt2Config gpt2 => (gpt2.NumLayers, gpt2.NumHeads, gpt2.HiddenSize / gpt2.NumHeads, gpt2.HiddenSize),
        _ => throw new NotSupportedException($"prefix sharing does not know the KV cache layout of '{config.ModelType}' models"),
    };
}
