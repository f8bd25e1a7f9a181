using AlignmentPipeline.Modeling.Models;
using static TorchSharp.torch;

namespace AlignmentPipeline.Modeling.Generation;

/// <summary>Autoregressive generation for a batch of prompts of any lengths (left-padded internally).</summary>
public static class TextGenerator
{
    /// <summary>
    /// Generates continuations of <paramref name="prompts"/> (token ids, each non-empty). Returns the new tokens of
    /// each prompt, without the stop token. Deterministic for a given seed.
    /// </summary>
    public static IReadOnlyList<int[]> Generate(ICausalLanguageModel model, IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid generation options: " + string.Join("; ", problems));
        }

        if (prompts.Count == 0 || prompts.Any(p => p.Count == 0))
        {
            throw new ArgumentException("generation needs at least one prompt and every prompt needs at least one token (e.g. BOS)");
        }

        var batch = prompts.Count;
        var promptLength = prompts.Max(p => p.Count);
        var capacity = promptLength + options.MaxNewTokens - 1; // the last sampled token is never fed back
        if (capacity > model.Config.MaxSequenceLength)
        {
            throw new ArgumentException(
                $"prompt of {promptLength} tokens + {options.MaxNewTokens} new tokens exceeds the model's {model.Config.MaxSequenceLength} positions");
        }

        // Left padding: row b is [pad × (promptLength - len), prompt, generated…]; pads are masked out.
        var tokens = prompts.Select(p => Enumerable.Repeat(0L, promptLength - p.Count).Concat(p.Select(t => (long)t)).ToList()).ToArray();
        var real = prompts.Select(p => Enumerable.Repeat(0L, promptLength - p.Count).Concat(Enumerable.Repeat(1L, p.Count)).ToList()).ToArray();
        var generated = Enumerable.Range(0, batch).Select(_ => new List<int>()).ToArray();
        var finished = new bool[batch];
        var stops = options.StopTokens.ToHashSet();
        using var generator = new Generator(options.Seed, model.Device);
        using var cache = options.UseKvCache ? model.CreateCache(batch, capacity) : null;
        using var noGrad = inference_mode();
        for (var step = 0; step < options.MaxNewTokens && !finished.All(f => f); step++)
        {
            using var scope = NewDisposeScope();
            var fed = cache is null || step == 0 ? 0 : tokens[0].Count - 1; // tokens already in the cache
            var input = Rows(tokens, fed, model.Device); // (B, T)
            var mask = Rows(real, 0, model.Device); // (B, S)
            var last = model.ForwardHidden(input, mask, null, cache).select(1, -1); // (B, C): only the last position is sampled
            var logits = model.LmHead(last); // (B, V)
            var next = TokenSampler.Next(logits, options, generator).cpu().data<long>().ToArray(); // (B)
            for (var b = 0; b < batch; b++)
            {
                finished[b] |= stops.Contains((int)next[b]);
                if (!finished[b])
                {
                    generated[b].Add((int)next[b]);
                }

                tokens[b].Add(next[b]);
                real[b].Add(1);
            }
        }

        return generated.Select(g => g.ToArray()).ToArray();
    }

    private static Tensor Rows(List<long>[] rows, int from, Device device)
    {
        var width = rows[0].Count - from;
        var flat = rows.SelectMany(r => r.Skip(from)).ToArray();
        return tensor(flat, [rows.Length, width], device: device); // (B, width)
    }
}
