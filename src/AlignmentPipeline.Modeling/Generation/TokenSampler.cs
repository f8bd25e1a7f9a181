using static TorchSharp.torch;

namespace AlignmentPipeline.Modeling.Generation;

/// <summary>Picks the next token of each row from its logits: greedy, or temperature with optional top-k and top-p.</summary>
internal static class TokenSampler
{
    /// <summary>Next token ids (B) from logits (B, V).</summary>
    public static Tensor Next(Tensor logits, GenerationOptions options, Generator generator)
    {
        var scores = logits.to(float32); // (B, V)
        if (options.Temperature == 0)
        {
            return scores.argmax(-1); // (B)
        }

        scores = scores / options.Temperature;
        if (options.TopK > 0 && options.TopK < scores.shape[1])
        {
            var kth = scores.topk(options.TopK).values.narrow(-1, options.TopK - 1, 1); // (B, 1)
            scores = scores.masked_fill(scores.lt(kth), double.NegativeInfinity); // (B, V)
        }

        if (options.TopP < 1)
        {
            var (sorted, order) = scores.sort(-1, descending: true); // (B, V)
            var probs = sorted.softmax(-1); // (B, V)
            var massBefore = probs.cumsum(-1) - probs; // (B, V): mass of strictly more likely tokens
            var drop = massBefore.gt(options.TopP); // (B, V); the most likely token always stays
            scores = scores.scatter(-1, order, sorted.masked_fill(drop, double.NegativeInfinity)); // (B, V)
        }

        return scores.softmax(-1).multinomial(1, generator: generator).squeeze(-1); // (B)
    }
}
