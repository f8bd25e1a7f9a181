using AlignmentPipeline.Modeling.Models;
using static TorchSharp.torch;

namespace AlignmentPipeline.Modeling.Checkpoints;

/// <summary>Saves a model as a Hugging Face folder: <c>model.safetensors</c> (F32 or BF16) and <c>config.json</c>.</summary>
internal static class HfCheckpointWriter
{
    public static void Save(ICausalLanguageModel model, string directory)
    {
        using var scope = NewDisposeScope();
        Directory.CreateDirectory(directory);
        var tensors = model.NamedParameters()
            .Select(p => (p.Name, Tensor: WeightAssigner.ToHost(ToHalfSplit(model.Config, p.Name, p.Parameter))))
            .ToList();
        var bfloat16 = model.DType == ScalarType.BFloat16;
        SafetensorsFile.Write(Path.Combine(directory, "model.safetensors"), tensors, bfloat16);
        var config = model.Config.ToHfConfigJson();
        config["torch_dtype"] = bfloat16 ? "bfloat16" : "float32";
        File.WriteAllText(Path.Combine(directory, "config.json"), config.ToJsonString(new() { WriteIndented = true }) + "\n");
    }

    /// <summary>
    /// Hugging Face Llama applies RoPE to the halves of each head. A model with adjacent-pair rotation (llama2.c,
    /// GGUF) is saved with the rows of q_proj/k_proj reordered so that pair (2i, 2i+1) lands on (i, i + hd/2): the
    /// same permutation as transformers' <c>convert_llama_weights_to_hf.py</c>. The result computes the same function.
    /// </summary>
    internal static Tensor ToHalfSplit(ICausalLanguageModelConfig config, string name, Tensor weight)
    {
        if (config is not LlamaConfig { Rotation: RopeRotation.Interleaved } llama)
        {
            return weight;
        }

        var heads = name.EndsWith("self_attn.q_proj.weight", StringComparison.Ordinal) || name.EndsWith("self_attn.q_proj.bias", StringComparison.Ordinal)
            ? llama.NumHeads
            : name.EndsWith("self_attn.k_proj.weight", StringComparison.Ordinal) || name.EndsWith("self_attn.k_proj.bias", StringComparison.Ordinal)
                ? llama.NumKvHeads
                : 0;
        if (heads == 0)
        {
            return weight;
        }

        var halfDim = llama.ResolvedHeadDim / 2;
        var rows = weight.ndim == 1 ? weight.unsqueeze(1) : weight; // (out, in)
        return rows.view(heads, halfDim, 2, rows.shape[1]).transpose(1, 2).reshape(weight.shape); // (out, in) or (out)
    }
}
