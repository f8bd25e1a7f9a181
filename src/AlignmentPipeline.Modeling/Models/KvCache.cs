using static TorchSharp.torch;

namespace AlignmentPipeline.Modeling.Models;

/// <summary>
/// Preallocated keys and values of earlier tokens, one (B, nKvHeads, maxLength, headDim) pair per layer. A forward
/// writes its T new tokens at <see cref="Length"/> and then advances it. The cache owns its tensors: dispose it.
/// For inference only: cached keys and values are stored without gradients.
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor[] keys;
    private readonly Tensor[] values;

    /// <summary>Allocates zeroed buffers on <paramref name="device"/>.</summary>
    public KvCache(int layers, int batchSize, int kvHeads, int maxLength, int headDim, ScalarType dtype, Device device)
    {
        keys = new Tensor[layers];
        values = new Tensor[layers];
        for (var i = 0; i < layers; i++)
        {
            keys[i] = zeros([batchSize, kvHeads, maxLength, headDim], dtype, device).DetachFromDisposeScope(); // (B, nKv, L, hd)
            values[i] = zeros([batchSize, kvHeads, maxLength, headDim], dtype, device).DetachFromDisposeScope(); // (B, nKv, L, hd)
        }

        BatchSize = batchSize;
        MaxLength = maxLength;
    }

    /// <summary>Sequences in the batch.</summary>
    public int BatchSize { get; }

    /// <summary>Capacity in tokens.</summary>
    public int MaxLength { get; }

    /// <summary>Tokens cached so far.</summary>
    public int Length { get; private set; }

    /// <summary>
    /// Writes k, v (B, nKv, T, hd) of <paramref name="layer"/> after the cached tokens and returns views of all keys
    /// and values (B, nKv, Length + T, hd).
    /// </summary>
    internal (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v)
    {
        var t = (int)k.shape[2];
        if (Length + t > MaxLength)
        {
            throw new InvalidOperationException($"KV cache holds {MaxLength} tokens; {Length} cached + {t} new do not fit");
        }

        using (no_grad())
        {
            keys[layer].narrow(2, Length, t).copy_(k);
            values[layer].narrow(2, Length, t).copy_(v);
        }

        return (keys[layer].narrow(2, 0, Length + t), values[layer].narrow(2, 0, Length + t));
    }

    /// <summary>Marks <paramref name="tokens"/> more tokens as cached; called by the model after all layers.</summary>
    internal void Advance(int tokens) => Length += tokens;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var tensor in keys.Concat(values))
        {
            tensor.Dispose();
        }
    }
}
