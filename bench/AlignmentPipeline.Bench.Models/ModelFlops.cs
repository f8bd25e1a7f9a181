using AlignmentPipeline.Modeling.Models;

namespace AlignmentPipeline.Bench.Models;

/// <summary>
/// Model FLOPs of a Llama forward, counted from the config: 2 per multiply-add of every weight matrix (q, k, v, o,
/// gate, up, down in each layer, plus the lm_head, tied or not; the embedding lookup, norms and biases are not
/// counted), plus causal attention: QKᵀ and AV over the (T+1)/2 keys a query sees on average.
/// Forward = 2·P·B·T + 2·L·nHeads·hd·B·T·(T+1); forward+backward = 3 × forward.
/// </summary>
internal static class ModelFlops
{
    /// <summary>P: weights that take part in a matmul per token.</summary>
    public static long MatmulParameters(LlamaConfig c)
    {
        long C = c.HiddenSize, q = c.NumHeads * c.ResolvedHeadDim, kv = c.NumKvHeads * c.ResolvedHeadDim;
        var perLayer = C * q + 2 * C * kv + q * C + 3 * C * c.IntermediateSize;
        return c.NumLayers * perLayer + (long)c.VocabSize * C;
    }

    /// <summary>Forward FLOPs of B sequences of T tokens.</summary>
    public static double Forward(LlamaConfig c, int B, int T) =>
        2.0 * MatmulParameters(c) * B * T + 2.0 * c.NumLayers * c.NumHeads * c.ResolvedHeadDim * B * T * (T + 1.0);
}
