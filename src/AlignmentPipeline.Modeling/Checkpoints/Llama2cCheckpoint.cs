using System.Buffers.Binary;
using AlignmentPipeline.Modeling.Models;

namespace AlignmentPipeline.Modeling.Checkpoints;

/// <summary>
/// llama2.c legacy (version 0) checkpoints: a header of 7 int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads,
/// vocab_size, seq_len; a negative vocab_size means a separate classifier), then float32 arrays in the order
/// emb, rms_att[L], wq[L], wk[L], wv[L], wo[L], rms_ffn[L], w1[L], w2[L], w3[L], rms_final, freq_cis_real,
/// freq_cis_imag, [wcls]. Matrices are (out, in); RoPE pairs adjacent features.
/// </summary>
internal static class Llama2cCheckpoint
{
    private const int HeaderBytes = 7 * 4;
    private const uint VersionedMagic = 0x616b3432; // "ak42", llama2.c export versions 1 and 2

    public static ICausalLanguageModel Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < HeaderBytes)
        {
            throw new ModelFormatException(path, $"llama2.c checkpoint is {bytes.Length} bytes, shorter than its 28-byte header");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes) == VersionedMagic)
        {
            throw new ModelFormatException(path, "llama2.c export version 1/2 (magic 'ak42') is not supported; export with --version 0 (legacy)");
        }

        var header = Enumerable.Range(0, 7).Select(i => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4 * i))).ToArray();
        var (dim, hidden, layers, heads, kvHeads, signedVocab, seqLen) = (header[0], header[1], header[2], header[3], header[4], header[5], header[6]);
        var vocab = Math.Abs(signedVocab);
        if (dim <= 0 || hidden <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || vocab == 0 || seqLen <= 0
            || dim % heads != 0 || heads % kvHeads != 0 || (dim / heads) % 2 != 0)
        {
            throw new ModelFormatException(path,
                $"not a llama2.c checkpoint: header dim={dim} hidden_dim={hidden} n_layers={layers} n_heads={heads} " +
                $"n_kv_heads={kvHeads} vocab_size={signedVocab} seq_len={seqLen} is inconsistent");
        }

        var config = new LlamaConfig
        {
            VocabSize = vocab,
            HiddenSize = dim,
            IntermediateSize = hidden,
            NumLayers = layers,
            NumHeads = heads,
            NumKvHeads = kvHeads,
            RmsNormEps = 1e-5,
            RopeTheta = 10000,
            Rotation = RopeRotation.Interleaved,
            MaxSequenceLength = seqLen,
            TieWordEmbeddings = signedVocab > 0,
        };
        var headDim = dim / heads;
        var kvDim = kvHeads * headDim;
        var layout = new List<(string Name, long[] Shape)> { ("model.embed_tokens.weight", [vocab, dim]) };
        void PerLayer(string suffix, params long[] shape) =>
            layout.AddRange(Enumerable.Range(0, layers).Select(l => ($"model.layers.{l}.{suffix}", shape)));
        PerLayer("input_layernorm.weight", dim);
        PerLayer("self_attn.q_proj.weight", dim, dim);
        PerLayer("self_attn.k_proj.weight", kvDim, dim);
        PerLayer("self_attn.v_proj.weight", kvDim, dim);
        PerLayer("self_attn.o_proj.weight", dim, dim);
        PerLayer("post_attention_layernorm.weight", dim);
        PerLayer("mlp.gate_proj.weight", hidden, dim);
        PerLayer("mlp.down_proj.weight", dim, hidden);
        PerLayer("mlp.up_proj.weight", hidden, dim);
        layout.Add(("model.norm.weight", [dim]));
        layout.Add(("freq_cis_real", [seqLen, headDim / 2]));
        layout.Add(("freq_cis_imag", [seqLen, headDim / 2]));
        if (!config.TieWordEmbeddings)
        {
            layout.Add(("lm_head.weight", [vocab, dim]));
        }

        var expectedBytes = HeaderBytes + 4 * layout.Sum(t => t.Shape.Aggregate(1L, (a, b) => a * b));
        if (bytes.Length != expectedBytes)
        {
            throw new ModelFormatException(path,
                $"llama2.c checkpoint should be {expectedBytes} bytes for its header (dim={dim}, hidden_dim={hidden}, " +
                $"n_layers={layers}, n_heads={heads}, n_kv_heads={kvHeads}, vocab_size={signedVocab}, seq_len={seqLen}) " +
                $"but is {bytes.Length} bytes ({(bytes.Length < expectedBytes ? "truncated" : "trailing data")})");
        }

        var tensors = new Dictionary<string, HostTensor>(StringComparer.Ordinal);
        long offset = HeaderBytes;
        foreach (var (name, shape) in layout)
        {
            var count = shape.Aggregate(1L, (a, b) => a * b);
            tensors[name] = new HostTensor(shape, FloatDecoding.Decode(bytes.AsSpan((int)offset, (int)(4 * count)), "F32"));
            offset += 4 * count;
        }

        var model = new LlamaModel(config);
        try
        {
            // The freq_cis tables are RoPE sin/cos that llama2.c's run.c ignores; we recompute them from theta.
            WeightAssigner.Assign(model, tensors, path, name => name.StartsWith("freq_cis_", StringComparison.Ordinal));
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
