using System.Text.Json.Nodes;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AlignmentPipeline.Modeling.Models;

// The Llama family (Llama 1–3, Mistral, Qwen2, llama2.c) in one file, read top to bottom:
// RMSNorm, Rope, Attention, Mlp, Block, LlamaConfig, LlamaModel. Field names equal Hugging Face checkpoint keys.

/// <summary>Root-mean-square layer norm (Zhang &amp; Sennrich 2019): x / rms(x) * weight, computed in float32.</summary>
internal sealed class RMSNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double eps;

    public RMSNorm(int dim, double eps)
        : base(nameof(RMSNorm))
    {
        weight = nn.Parameter(ones(dim)); // (C)
        this.eps = eps;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var xf = x.to(float32); // (B, T, C)
        var normed = xf * (xf.pow(2).mean([-1], keepdim: true) + eps).rsqrt(); // (B, T, C)
        return weight * normed.to(x.dtype); // (B, T, C)
    }
}

/// <summary>How RoPE pairs the features of a head.</summary>
public enum RopeRotation
{
    /// <summary>Feature i pairs with i + headDim/2 (Hugging Face <c>rotate_half</c>, GGML NEOX).</summary>
    HalfSplit,

    /// <summary>Features 2i and 2i+1 form a pair (Meta's original code, llama2.c, GGML NORM as used for GGUF llama).</summary>
    Interleaved,
}

/// <summary>RoPE frequency scaling from <c>rope_scaling</c> in config.json.</summary>
/// <param name="Type"><c>linear</c> (positions divided by <paramref name="Factor"/>) or <c>llama3</c>.</param>
/// <param name="Factor">Context extension factor.</param>
/// <param name="LowFreqFactor">llama3 only: wavelengths above original / this are divided by the factor (default 1).</param>
/// <param name="HighFreqFactor">llama3 only: wavelengths below original / this are kept (default 4).</param>
/// <param name="OriginalMaxPositionEmbeddings">llama3 only: the pre-training context (default 8192).</param>
public sealed record RopeScaling(
    string Type, double Factor, double LowFreqFactor = 1, double HighFreqFactor = 4, int OriginalMaxPositionEmbeddings = 8192);

/// <summary>Rotary position embedding (Su et al. 2021, RoFormer, eq. 34).</summary>
internal static class Rope
{
    /// <summary>theta^(-2i/d) for i in [0, d/2), with linear or Llama-3 scaling applied.</summary>
    public static float[] InverseFrequencies(int headDim, double theta, RopeScaling? scaling)
    {
        var result = new float[headDim / 2];
        for (var i = 0; i < result.Length; i++)
        {
            var freq = 1.0 / Math.Pow(theta, 2.0 * i / headDim);
            result[i] = (float)(scaling?.Type switch
            {
                null => freq,
                "linear" => freq / scaling.Factor,
                "llama3" => Llama3Scaled(freq, scaling),
                _ => throw new ArgumentException($"rope scaling type '{scaling.Type}' is not supported (linear, llama3)"),
            });
        }

        return result;
    }

    // Llama 3.1: keep high frequencies, divide low ones by the factor, interpolate smoothly in between.
    private static double Llama3Scaled(double freq, RopeScaling s)
    {
        var wavelength = 2 * Math.PI / freq;
        var lowFreqWavelength = s.OriginalMaxPositionEmbeddings / s.LowFreqFactor;
        var highFreqWavelength = s.OriginalMaxPositionEmbeddings / s.HighFreqFactor;
        if (wavelength < highFreqWavelength)
        {
            return freq;
        }

        if (wavelength > lowFreqWavelength)
        {
            return freq / s.Factor;
        }

        var smooth = (s.OriginalMaxPositionEmbeddings / wavelength - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
        return (1 - smooth) * freq / s.Factor + smooth * freq;
    }

    /// <summary>
    /// cos and signed sin of position × frequency at full head width, each (B, 1, T, headDim), laid out like the
    /// feature pairs of <paramref name="rotation"/>: a pair's first feature gets −sin, its second +sin, so that
    /// <see cref="Apply"/> is one multiply-add with each feature's partner.
    /// </summary>
    public static (Tensor Cos, Tensor Sin) CosSin(Tensor positions, float[] inverseFrequencies, RopeRotation rotation, ScalarType dtype)
    {
        var invFreq = tensor(inverseFrequencies, device: positions.device); // (hd/2)
        var angles = (positions.to(float32).unsqueeze(-1) * invFreq).unsqueeze(1); // (B, 1, T, hd/2)
        var (cos, sin) = (angles.cos(), angles.sin()); // (B, 1, T, hd/2)
        var (cosFull, sinSigned) = rotation == RopeRotation.Interleaved
            ? (stack([cos, cos], -1).flatten(3), stack([-sin, sin], -1).flatten(3)) // (B, 1, T, hd): c0 c0 c1 c1 …, −s0 s0 −s1 s1 …
            : (cat([cos, cos], -1), cat([-sin, sin], -1)); // (B, 1, T, hd): c0 … c0 …, −s0 … s0 …
        return (cosFull.to(dtype), sinSigned.to(dtype));
    }

    /// <summary>Rotates each feature pair (a, b) of x (B, H, T, hd) to (a·cos − b·sin, b·cos + a·sin).</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin, RopeRotation rotation)
    {
        var half = x.shape[^1] / 2;
        var partner = rotation == RopeRotation.Interleaved
            ? x.unflatten(3, [half, 2]).flip(4).flatten(3) // (B, H, T, hd): b0 a0 b1 a1 …
            : cat([x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1); // (B, H, T, hd): second half, first half
        return x * cos + partner * sin; // (B, H, T, hd)
    }
}

/// <summary>
/// Causal self-attention with grouped-query heads (Ainslie et al. 2023) and RoPE. Projections run through <c>call</c>,
/// which applies forward hooks (how LoRA adapters attach); with no hook it is exactly <c>forward</c>.
/// </summary>
internal sealed class Attention : nn.Module
{
    private readonly Linear q_proj;
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear o_proj;
    private readonly int layerIndex;
    private readonly int nHeads;
    private readonly int nKvHeads;
    private readonly int headDim;
    private readonly RopeRotation rotation;

    public Attention(LlamaConfig config, int layerIndex)
        : base(nameof(Attention))
    {
        (nHeads, nKvHeads, headDim, rotation) = (config.NumHeads, config.NumKvHeads, config.ResolvedHeadDim, config.Rotation);
        this.layerIndex = layerIndex;
        q_proj = nn.Linear(config.HiddenSize, nHeads * headDim, hasBias: config.AttentionBias);
        k_proj = nn.Linear(config.HiddenSize, nKvHeads * headDim, hasBias: config.AttentionBias);
        v_proj = nn.Linear(config.HiddenSize, nKvHeads * headDim, hasBias: config.AttentionBias);
        o_proj = nn.Linear(nHeads * headDim, config.HiddenSize, hasBias: config.AttentionOutputBias);
        RegisterComponents();
    }

    public Tensor forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, KvCache? cache)
    {
        var (B, T) = (x.shape[0], x.shape[1]);
        var q = q_proj.call(x).view(B, T, nHeads, headDim).transpose(1, 2); // (B, nHeads, T, hd)
        var k = k_proj.call(x).view(B, T, nKvHeads, headDim).transpose(1, 2); // (B, nKvHeads, T, hd)
        var v = v_proj.call(x).view(B, T, nKvHeads, headDim).transpose(1, 2); // (B, nKvHeads, T, hd)
        q = Rope.Apply(q, cos, sin, rotation);
        k = Rope.Apply(k, cos, sin, rotation);
        if (cache is not null)
        {
            (k, v) = cache.Append(layerIndex, k, v); // (B, nKvHeads, S, hd)
        }

        var group = nHeads / nKvHeads;
        if (group > 1 && T == 1)
        {
            // One new token: the query heads sharing a KV head become that head's `group` queries; nothing is copied.
            q = q.reshape(B, nKvHeads, group, headDim); // (B, nKvHeads, group, hd)
        }
        else if (group > 1)
        {
            k = k.repeat_interleave(group, dim: 1); // (B, nHeads, S, hd)
            v = v.repeat_interleave(group, dim: 1); // (B, nHeads, S, hd)
        }

        var y = F.scaled_dot_product_attention(q, k, v, mask, 0.0, mask is null && T > 1).reshape(B, nHeads, T, headDim); // (B, nHeads, T, hd)
        return o_proj.call(y.transpose(1, 2).reshape(B, T, nHeads * headDim)); // (B, T, C)
    }
}

/// <summary>SwiGLU feed-forward (Shazeer 2020): down(silu(gate(x)) * up(x)).</summary>
internal sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear gate_proj;
    private readonly Linear up_proj;
    private readonly Linear down_proj;

    public Mlp(int dim, int hidden)
        : base(nameof(Mlp))
    {
        gate_proj = nn.Linear(dim, hidden, hasBias: false);
        up_proj = nn.Linear(dim, hidden, hasBias: false);
        down_proj = nn.Linear(hidden, dim, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) =>
        down_proj.call(F.silu(gate_proj.call(x)) * up_proj.call(x)); // (B, T, C)
}

/// <summary>Pre-norm transformer block: x + attn(norm(x)), then h + mlp(norm(h)).</summary>
internal sealed class Block : nn.Module
{
    private readonly RMSNorm input_layernorm;
    private readonly Attention self_attn;
    private readonly RMSNorm post_attention_layernorm;
    private readonly Mlp mlp;

    public Block(LlamaConfig config, int layerIndex)
        : base(nameof(Block))
    {
        input_layernorm = new RMSNorm(config.HiddenSize, config.RmsNormEps);
        self_attn = new Attention(config, layerIndex);
        post_attention_layernorm = new RMSNorm(config.HiddenSize, config.RmsNormEps);
        mlp = new Mlp(config.HiddenSize, config.IntermediateSize);
        RegisterComponents();
    }

    public Tensor forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, KvCache? cache)
    {
        var h = x + self_attn.forward(input_layernorm.forward(x), cos, sin, mask, cache); // (B, T, C)
        return h + mlp.forward(post_attention_layernorm.forward(h)); // (B, T, C)
    }
}

/// <summary>Hyper-parameters of a Llama-family model, named as in Hugging Face <c>config.json</c>.</summary>
public sealed record LlamaConfig : ICausalLanguageModelConfig
{
    /// <summary>llama (default), mistral or qwen2; only changes what <see cref="ToHfConfigJson"/> writes.</summary>
    public string ModelType { get; init; } = "llama";

    /// <inheritdoc />
    public required int VocabSize { get; init; }

    /// <summary>Model width C (<c>hidden_size</c>).</summary>
    public required int HiddenSize { get; init; }

    /// <summary>SwiGLU hidden width (<c>intermediate_size</c>).</summary>
    public required int IntermediateSize { get; init; }

    /// <summary>Transformer blocks (<c>num_hidden_layers</c>).</summary>
    public required int NumLayers { get; init; }

    /// <summary>Query heads (<c>num_attention_heads</c>).</summary>
    public required int NumHeads { get; init; }

    /// <summary>Key/value heads (<c>num_key_value_heads</c>); must divide <see cref="NumHeads"/>.</summary>
    public required int NumKvHeads { get; init; }

    /// <summary>Per-head width; null (default) means HiddenSize / NumHeads.</summary>
    public int? HeadDim { get; init; }

    /// <summary>RMSNorm epsilon (default 1e-5).</summary>
    public double RmsNormEps { get; init; } = 1e-5;

    /// <summary>RoPE base theta (default 10000).</summary>
    public double RopeTheta { get; init; } = 10000;

    /// <summary>RoPE pairing; Hugging Face checkpoints use <see cref="RopeRotation.HalfSplit"/> (default).</summary>
    public RopeRotation Rotation { get; init; } = RopeRotation.HalfSplit;

    /// <summary>Optional linear or llama3 frequency scaling (default none).</summary>
    public RopeScaling? RopeScaling { get; init; }

    /// <inheritdoc />
    public int MaxSequenceLength { get; init; } = 2048;

    /// <summary>lm_head shares the embedding matrix (default false).</summary>
    public bool TieWordEmbeddings { get; init; }

    /// <summary>q/k/v projections have biases (true for Qwen2; default false).</summary>
    public bool AttentionBias { get; init; }

    /// <summary>o_proj has a bias (Llama's <c>attention_bias</c> sets both; default false).</summary>
    public bool AttentionOutputBias { get; init; }

    /// <summary>The per-head width in use.</summary>
    public int ResolvedHeadDim => HeadDim ?? HiddenSize / NumHeads;

    /// <summary>Every inconsistency in this config, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        foreach (var (name, value) in new[]
                 {
                     ("vocab_size", VocabSize), ("hidden_size", HiddenSize), ("intermediate_size", IntermediateSize),
                     ("num_hidden_layers", NumLayers), ("num_attention_heads", NumHeads), ("num_key_value_heads", NumKvHeads),
                     ("max_position_embeddings", MaxSequenceLength),
                 })
        {
            if (value < 1)
            {
                problems.Add($"{name} must be positive (got {value})");
            }
        }

        if (NumHeads > 0 && NumKvHeads > 0 && NumHeads % NumKvHeads != 0)
        {
            problems.Add($"num_attention_heads {NumHeads} is not a multiple of num_key_value_heads {NumKvHeads}");
        }

        if (HeadDim is null && NumHeads > 0 && HiddenSize % NumHeads != 0)
        {
            problems.Add($"hidden_size {HiddenSize} is not a multiple of num_attention_heads {NumHeads}; set head_dim");
        }

        if (NumHeads > 0 && ResolvedHeadDim % 2 != 0)
        {
            problems.Add($"head_dim {ResolvedHeadDim} must be even for RoPE");
        }

        if (RopeScaling is { Type: not ("linear" or "llama3") })
        {
            problems.Add($"rope_scaling type '{RopeScaling.Type}' is not supported (linear, llama3)");
        }

        return problems;
    }

    /// <summary>
    /// config.json as Hugging Face writes it. It describes the half-split layout: an interleaved model is saved with
    /// permuted q/k rows (see <see cref="HfCheckpointWriter"/>), so transformers reads it correctly.
    /// </summary>
    public JsonObject ToHfConfigJson()
    {
        if (ModelType != "qwen2" && AttentionBias != AttentionOutputBias)
        {
            throw new InvalidOperationException($"a {ModelType} config.json has one attention_bias for q/k/v/o; this model has q/k/v bias {AttentionBias} and o bias {AttentionOutputBias}");
        }

        var json = new JsonObject
        {
            ["architectures"] = new JsonArray(ModelType switch
            {
                "mistral" => "MistralForCausalLM",
                "qwen2" => "Qwen2ForCausalLM",
                _ => "LlamaForCausalLM",
            }),
            ["model_type"] = ModelType,
            ["vocab_size"] = VocabSize,
            ["hidden_size"] = HiddenSize,
            ["intermediate_size"] = IntermediateSize,
            ["num_hidden_layers"] = NumLayers,
            ["num_attention_heads"] = NumHeads,
            ["num_key_value_heads"] = NumKvHeads,
            ["hidden_act"] = "silu",
            ["rms_norm_eps"] = RmsNormEps,
            ["rope_theta"] = RopeTheta,
            ["max_position_embeddings"] = MaxSequenceLength,
            ["tie_word_embeddings"] = TieWordEmbeddings,
        };
        if (ModelType != "qwen2")
        {
            json["attention_bias"] = AttentionBias;
        }

        if (HeadDim is not null)
        {
            json["head_dim"] = HeadDim;
        }

        if (RopeScaling is not null)
        {
            json["rope_scaling"] = new JsonObject
            {
                ["rope_type"] = RopeScaling.Type,
                ["factor"] = RopeScaling.Factor,
                ["low_freq_factor"] = RopeScaling.LowFreqFactor,
                ["high_freq_factor"] = RopeScaling.HighFreqFactor,
                ["original_max_position_embeddings"] = RopeScaling.OriginalMaxPositionEmbeddings,
            };
        }

        return json;
    }
}

/// <summary>The body of the model, under the checkpoint prefix <c>model.</c>.</summary>
internal sealed class LlamaDecoder : nn.Module
{
    internal readonly Embedding embed_tokens;
    internal readonly ModuleList<Block> layers;
    internal readonly RMSNorm norm;

    public LlamaDecoder(LlamaConfig config)
        : base(nameof(LlamaDecoder))
    {
        embed_tokens = nn.Embedding(config.VocabSize, config.HiddenSize);
        layers = nn.ModuleList(Enumerable.Range(0, config.NumLayers).Select(i => new Block(config, i)).ToArray());
        norm = new RMSNorm(config.HiddenSize, config.RmsNormEps);
        RegisterComponents();
    }
}

/// <summary>A Llama-family causal language model: embeddings, blocks, final norm, lm_head (own or tied).</summary>
public sealed class LlamaModel : nn.Module, ICausalLanguageModel
{
    private readonly LlamaDecoder model;
    private readonly Linear? lm_head;
    private readonly float[] inverseFrequencies;

    /// <summary>A randomly initialised model on the CPU in float32; load weights with <see cref="ModelLoader"/>.</summary>
    public LlamaModel(LlamaConfig config)
        : base(nameof(LlamaModel))
    {
        var problems = config.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid Llama config: " + string.Join("; ", problems));
        }

        NativeHeap.KeepFreedMemory();
        Config = config;
        model = new LlamaDecoder(config);
        lm_head = config.TieWordEmbeddings ? null : nn.Linear(config.HiddenSize, config.VocabSize, hasBias: false);
        inverseFrequencies = Rope.InverseFrequencies(config.ResolvedHeadDim, config.RopeTheta, config.RopeScaling);
        RegisterComponents();
    }

    /// <summary>The typed config.</summary>
    public LlamaConfig Config { get; }

    ICausalLanguageModelConfig ICausalLanguageModel.Config => Config;

    /// <inheritdoc />
    public Device Device => model.embed_tokens.weight!.device;

    /// <inheritdoc />
    public ScalarType DType => model.embed_tokens.weight!.dtype;

    /// <inheritdoc />
    public nn.Module Module => this;

    /// <inheritdoc />
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null)
    {
        using var scope = NewDisposeScope();
        var hidden = ForwardHidden(inputIds, attentionMask, positionIds, cache); // (B, T, C)
        return LmHead(hidden).MoveToOuterDisposeScope(); // (B, T, V)
    }

    /// <inheritdoc />
    public Tensor ForwardHidden(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null)
    {
        NativeThreads.ApplyToCurrentThread();
        using var scope = NewDisposeScope();
        var (positions, mask) = CausalInputs.Prepare(inputIds, attentionMask, positionIds, cache?.Length ?? 0, Config.MaxSequenceLength);
        var (cos, sin) = Rope.CosSin(positions, inverseFrequencies, Config.Rotation, DType); // (B, 1, T, hd)
        var x = model.embed_tokens.forward(inputIds); // (B, T, C)
        foreach (var layer in model.layers)
        {
            x = layer.forward(x, cos, sin, mask, cache); // (B, T, C)
        }

        cache?.Advance((int)inputIds.shape[1]);
        return model.norm.forward(x).MoveToOuterDisposeScope(); // (B, T, C)
    }

    /// <inheritdoc />
    public Tensor LmHead(Tensor hidden) =>
        lm_head?.forward(hidden) ?? F.linear(hidden, model.embed_tokens.weight!); // (…, V)

    /// <inheritdoc />
    public IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters() => ModelParameters.Distinct(this);

    /// <inheritdoc />
    public KvCache CreateCache(int batchSize, int maxLength) =>
        new(Config.NumLayers, batchSize, Config.NumKvHeads, maxLength, Config.ResolvedHeadDim, DType, Device);

    /// <inheritdoc />
    public void Save(string directory) => HfCheckpointWriter.Save(this, directory);
}
