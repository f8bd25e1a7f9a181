using System.Text.RegularExpressions;
using AlignmentPipeline.Modeling.Models;

namespace AlignmentPipeline.Modeling.Checkpoints;

/// <summary>
/// Llama-architecture GGUF models with F32/F16/BF16 tensors. llama.cpp applies adjacent-pair ("NORM") RoPE to
/// <c>llama</c> models and its converter stores q/k in that layout, so the weights are used as stored with
/// <see cref="RopeRotation.Interleaved"/>.
/// </summary>
internal static partial class GgufCheckpoint
{
    private static readonly Dictionary<string, string> BlockNames = new(StringComparer.Ordinal)
    {
        ["attn_norm.weight"] = "input_layernorm.weight",
        ["attn_q.weight"] = "self_attn.q_proj.weight",
        ["attn_k.weight"] = "self_attn.k_proj.weight",
        ["attn_v.weight"] = "self_attn.v_proj.weight",
        ["attn_output.weight"] = "self_attn.o_proj.weight",
        ["ffn_norm.weight"] = "post_attention_layernorm.weight",
        ["ffn_gate.weight"] = "mlp.gate_proj.weight",
        ["ffn_up.weight"] = "mlp.up_proj.weight",
        ["ffn_down.weight"] = "mlp.down_proj.weight",
    };

    public static ICausalLanguageModel Load(string path)
    {
        var gguf = GgufFile.Read(path);
        var architecture = gguf.GetString("general.architecture");
        if (architecture != "llama")
        {
            throw new ModelFormatException(path, $"GGUF architecture '{architecture}' is not supported (llama)");
        }

        var tensors = new Dictionary<string, HostTensor>(StringComparer.Ordinal);
        foreach (var info in gguf.Tensors)
        {
            tensors[HfName(info.Name)] = new HostTensor(info.Shape, gguf.ReadTensor(info));
        }

        var embedding = tensors.GetValueOrDefault("model.embed_tokens.weight")
            ?? throw new ModelFormatException(path, "tensor 'token_embd.weight' is missing");
        var tied = !tensors.TryGetValue("lm_head.weight", out var output) || output.Values.AsSpan().SequenceEqual(embedding.Values);
        if (tied)
        {
            tensors.Remove("lm_head.weight");
        }

        var heads = (int)gguf.GetInteger("llama.attention.head_count");
        var config = new LlamaConfig
        {
            VocabSize = (int)embedding.Shape[0],
            HiddenSize = (int)gguf.GetInteger("llama.embedding_length"),
            IntermediateSize = (int)gguf.GetInteger("llama.feed_forward_length"),
            NumLayers = (int)gguf.GetInteger("llama.block_count"),
            NumHeads = heads,
            NumKvHeads = gguf.Has("llama.attention.head_count_kv") ? (int)gguf.GetInteger("llama.attention.head_count_kv") : heads,
            RmsNormEps = gguf.GetFloat("llama.attention.layer_norm_rms_epsilon"),
            RopeTheta = gguf.Has("llama.rope.freq_base") ? gguf.GetFloat("llama.rope.freq_base") : 10000,
            Rotation = RopeRotation.Interleaved,
            RopeScaling = ReadScaling(gguf),
            MaxSequenceLength = (int)gguf.GetInteger("llama.context_length"),
            TieWordEmbeddings = tied,
        };
        var problems = config.Validate();
        if (problems.Count > 0)
        {
            throw new ModelFormatException(path, string.Join("; ", problems));
        }

        var model = new LlamaModel(config);
        try
        {
            WeightAssigner.Assign(model, tensors, path, _ => false);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static RopeScaling? ReadScaling(GgufFile gguf)
    {
        var type = gguf.Has("llama.rope.scaling.type") ? gguf.GetString("llama.rope.scaling.type") : "none";
        return type switch
        {
            "none" => null,
            "linear" => new RopeScaling("linear", gguf.GetFloat("llama.rope.scaling.factor")),
            _ => throw new ModelFormatException(gguf.FilePath, $"GGUF rope scaling type '{type}' is not supported (none, linear)"),
        };
    }

    private static string HfName(string name)
    {
        var block = BlockName().Match(name);
        if (block.Success)
        {
            return BlockNames.TryGetValue(block.Groups[2].Value, out var suffix)
                ? $"model.layers.{block.Groups[1].Value}.{suffix}"
                : name;
        }

        return name switch
        {
            "token_embd.weight" => "model.embed_tokens.weight",
            "output_norm.weight" => "model.norm.weight",
            "output.weight" => "lm_head.weight",
            _ => name,
        };
    }

    [GeneratedRegex(@"^blk\.(\d+)\.(.+)$")]
    private static partial Regex BlockName();
}
