using System.Text.Json.Nodes;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AlignmentPipeline.Modeling.Models;

// GPT-2 (Radford et al. 2019) in one file: Conv1D, Gpt2Attention, Gpt2Mlp, Gpt2Block, Gpt2Config, Gpt2Model.
// Learned positions, LayerNorm, GELU, fused c_attn; field names equal Hugging Face checkpoint keys.

/// <summary>
/// OpenAI's "Conv1D": a linear layer whose weight is stored (in, out), so y = x @ W + b. Public so that adapters (LoRA)
/// can find GPT-2's projections as they find <see cref="Linear"/> layers; models call it through <c>call</c>, which runs
/// forward hooks.
/// </summary>
public sealed class Conv1D : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;

    /// <summary>A projection from <paramref name="inFeatures"/> to <paramref name="outFeatures"/>, weight ~ N(0, 0.02²), bias 0.</summary>
    public Conv1D(int inFeatures, int outFeatures)
        : base(nameof(Conv1D))
    {
        weight = nn.Parameter(randn(inFeatures, outFeatures) * 0.02); // (in, out)
        bias = nn.Parameter(zeros(outFeatures)); // (out)
        RegisterComponents();
    }

    /// <summary>The weight, stored transposed with respect to <see cref="Linear"/>: (in, out).</summary>
    public Parameter Weight => weight;

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => matmul(x, weight) + bias; // (B, T, out)
}

/// <summary>Causal multi-head self-attention with a fused q/k/v projection.</summary>
internal sealed class Gpt2Attention : nn.Module
{
    private readonly Conv1D c_attn;
    private readonly Conv1D c_proj;
    private readonly int layerIndex;
    private readonly int nHeads;
    private readonly int headDim;

    public Gpt2Attention(Gpt2Config config, int layerIndex)
        : base(nameof(Gpt2Attention))
    {
        (nHeads, headDim) = (config.NumHeads, config.HiddenSize / config.NumHeads);
        this.layerIndex = layerIndex;
        c_attn = new Conv1D(config.HiddenSize, 3 * config.HiddenSize);
        c_proj = new Conv1D(config.HiddenSize, config.HiddenSize);
        RegisterComponents();
    }

    public Tensor forward(Tensor x, Tensor? mask, KvCache? cache)
    {
        var (B, T, C) = (x.shape[0], x.shape[1], x.shape[2]);
        var qkv = c_attn.call(x).split(C, dim: 2); // 3 × (B, T, C)
        var q = qkv[0].view(B, T, nHeads, headDim).transpose(1, 2); // (B, nh, T, hd)
        var k = qkv[1].view(B, T, nHeads, headDim).transpose(1, 2); // (B, nh, T, hd)
        var v = qkv[2].view(B, T, nHeads, headDim).transpose(1, 2); // (B, nh, T, hd)
        if (cache is not null)
        {
            (k, v) = cache.Append(layerIndex, k, v); // (B, nh, S, hd)
        }

        var y = F.scaled_dot_product_attention(q, k, v, mask, 0.0, mask is null && T > 1); // (B, nh, T, hd)
        return c_proj.call(y.transpose(1, 2).reshape(B, T, C)); // (B, T, C)
    }
}

/// <summary>Feed-forward: c_proj(gelu(c_fc(x))).</summary>
internal sealed class Gpt2Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Conv1D c_fc;
    private readonly Conv1D c_proj;
    private readonly bool tanhGelu;

    public Gpt2Mlp(Gpt2Config config)
        : base(nameof(Gpt2Mlp))
    {
        c_fc = new Conv1D(config.HiddenSize, config.ResolvedInnerSize);
        c_proj = new Conv1D(config.ResolvedInnerSize, config.HiddenSize);
        tanhGelu = config.Activation != "gelu";
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = c_fc.call(x); // (B, T, 4C)
        return c_proj.call(tanhGelu ? h.gelu(GELU.Approximate.tanh) : h.gelu()); // (B, T, C)
    }
}

/// <summary>Pre-norm block: x + attn(ln_1(x)), then h + mlp(ln_2(h)).</summary>
internal sealed class Gpt2Block : nn.Module
{
    private readonly LayerNorm ln_1;
    private readonly Gpt2Attention attn;
    private readonly LayerNorm ln_2;
    private readonly Gpt2Mlp mlp;

    public Gpt2Block(Gpt2Config config, int layerIndex)
        : base(nameof(Gpt2Block))
    {
        ln_1 = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        attn = new Gpt2Attention(config, layerIndex);
        ln_2 = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        mlp = new Gpt2Mlp(config);
        RegisterComponents();
    }

    public Tensor forward(Tensor x, Tensor? mask, KvCache? cache)
    {
        var h = x + attn.forward(ln_1.forward(x), mask, cache); // (B, T, C)
        return h + mlp.forward(ln_2.forward(h)); // (B, T, C)
    }
}

/// <summary>Hyper-parameters of GPT-2, named as in Hugging Face <c>config.json</c>.</summary>
public sealed record Gpt2Config : ICausalLanguageModelConfig
{
    /// <inheritdoc />
    public string ModelType => "gpt2";

    /// <inheritdoc />
    public required int VocabSize { get; init; }

    /// <summary>Model width C (<c>n_embd</c>).</summary>
    public required int HiddenSize { get; init; }

    /// <summary>Blocks (<c>n_layer</c>).</summary>
    public required int NumLayers { get; init; }

    /// <summary>Heads (<c>n_head</c>); must divide <see cref="HiddenSize"/>.</summary>
    public required int NumHeads { get; init; }

    /// <summary>Learned positions (<c>n_positions</c>, default 1024).</summary>
    public int MaxSequenceLength { get; init; } = 1024;

    /// <summary>MLP width (<c>n_inner</c>); null (default) means 4 × HiddenSize.</summary>
    public int? InnerSize { get; init; }

    /// <summary>LayerNorm epsilon (<c>layer_norm_epsilon</c>, default 1e-5).</summary>
    public double LayerNormEps { get; init; } = 1e-5;

    /// <summary><c>gelu_new</c> (default, tanh approximation) or <c>gelu</c> (exact erf).</summary>
    public string Activation { get; init; } = "gelu_new";

    /// <summary>The MLP width in use.</summary>
    public int ResolvedInnerSize => InnerSize ?? 4 * HiddenSize;

    /// <summary>Every inconsistency in this config, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (VocabSize < 1 || HiddenSize < 1 || NumLayers < 1 || NumHeads < 1 || MaxSequenceLength < 1 || ResolvedInnerSize < 1)
        {
            problems.Add("vocab_size, n_embd, n_layer, n_head, n_positions and n_inner must be positive");
        }
        else if (HiddenSize % NumHeads != 0)
        {
            problems.Add($"n_embd {HiddenSize} is not a multiple of n_head {NumHeads}");
        }

        if (Activation is not ("gelu_new" or "gelu" or "gelu_pytorch_tanh"))
        {
            problems.Add($"activation_function '{Activation}' is not supported (gelu_new, gelu_pytorch_tanh, gelu)");
        }

        return problems;
    }

    /// <summary>config.json as Hugging Face writes it.</summary>
    public JsonObject ToHfConfigJson() => new()
    {
        ["architectures"] = new JsonArray("GPT2LMHeadModel"),
        ["model_type"] = "gpt2",
        ["vocab_size"] = VocabSize,
        ["n_embd"] = HiddenSize,
        ["n_layer"] = NumLayers,
        ["n_head"] = NumHeads,
        ["n_positions"] = MaxSequenceLength,
        ["n_inner"] = InnerSize,
        ["layer_norm_epsilon"] = LayerNormEps,
        ["activation_function"] = Activation,
        ["tie_word_embeddings"] = true,
    };
}

/// <summary>The body of the model, under the checkpoint prefix <c>transformer.</c>.</summary>
internal sealed class Gpt2Transformer : nn.Module
{
    internal readonly Embedding wte;
    internal readonly Embedding wpe;
    internal readonly ModuleList<Gpt2Block> h;
    internal readonly LayerNorm ln_f;

    public Gpt2Transformer(Gpt2Config config)
        : base(nameof(Gpt2Transformer))
    {
        wte = nn.Embedding(config.VocabSize, config.HiddenSize);
        wpe = nn.Embedding(config.MaxSequenceLength, config.HiddenSize);
        h = nn.ModuleList(Enumerable.Range(0, config.NumLayers).Select(i => new Gpt2Block(config, i)).ToArray());
        ln_f = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        RegisterComponents();
    }
}

/// <summary>GPT-2 causal language model; the lm_head is always tied to <c>wte</c>.</summary>
public sealed class Gpt2Model : nn.Module, ICausalLanguageModel
{
    private readonly Gpt2Transformer transformer;

    /// <summary>A randomly initialised model on the CPU in float32; load weights with <see cref="ModelLoader"/>.</summary>
    public Gpt2Model(Gpt2Config config)
        : base(nameof(Gpt2Model))
    {
        var problems = config.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid GPT-2 config: " + string.Join("; ", problems));
        }

        NativeHeap.KeepFreedMemory();
        Config = config;
        transformer = new Gpt2Transformer(config);
        RegisterComponents();
    }

    /// <summary>The typed config.</summary>
    public Gpt2Config Config { get; }

    ICausalLanguageModelConfig ICausalLanguageModel.Config => Config;

    /// <inheritdoc />
    public Device Device => transformer.wte.weight!.device;

    /// <inheritdoc />
    public ScalarType DType => transformer.wte.weight!.dtype;

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
        var x = transformer.wte.forward(inputIds) + transformer.wpe.forward(positions); // (B, T, C)
        foreach (var block in transformer.h)
        {
            x = block.forward(x, mask, cache); // (B, T, C)
        }

        cache?.Advance((int)inputIds.shape[1]);
        return transformer.ln_f.forward(x).MoveToOuterDisposeScope(); // (B, T, C)
    }

    /// <inheritdoc />
    public Tensor LmHead(Tensor hidden) => F.linear(hidden, transformer.wte.weight!); // (…, V)

    /// <inheritdoc />
    public IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters() => ModelParameters.Distinct(this);

    /// <inheritdoc />
    public KvCache CreateCache(int batchSize, int maxLength) =>
        new(Config.NumLayers, batchSize, Config.NumHeads, maxLength, Config.HiddenSize / Config.NumHeads, DType, Device);

    /// <inheritdoc />
    public void Save(string directory) => HfCheckpointWriter.Save(this, directory);
}
