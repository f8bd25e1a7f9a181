using AlignmentPipeline.Modeling.Models;

/// <summary>
/// FLOPs of one forward of a batch, counted explicitly (a multiply-add is 2 FLOPs; norms, RoPE, softmax and SwiGLU's
/// elementwise work are left out, under 1% here). Per sequence of T tokens of which Tc are completion tokens:
/// body: T · L · 2 · (4·d² + 3·d·h) (q, k, v, o and the three SwiGLU projections, n_kv_heads = n_heads);
/// attention: L · 2 · 2 · d · T(T+1)/2 (QKᵀ and AV over the causal triangle);
/// LM head: 2 · d · V · Tc (the log-prob function projects only the completion positions).
/// A training step costs 3× its forward (backward ≈ 2× forward); a live reference adds one forward.
/// </summary>
internal static class StepFlops
{
    public static double Forward(LlamaConfig c, IEnumerable<(int Tokens, int CompletionTokens)> sequences)
    {
        double d = c.HiddenSize, h = c.IntermediateSize, L = c.NumLayers, V = c.VocabSize;
        return sequences.Sum(s => s.Tokens * L * 2 * (4 * d * d + 3 * d * h) + L * 2 * 2 * d * s.Tokens * (s.Tokens + 1) / 2.0 + 2 * d * V * s.CompletionTokens);
    }
}
