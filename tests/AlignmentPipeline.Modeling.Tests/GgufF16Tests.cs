using System.Text;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.Runtime;
using static TorchSharp.torch;

namespace AlignmentPipeline.Modeling.Tests;

/// <summary>GGUF v3 files whose matrices are F16 (as llama.cpp's <c>convert_hf_to_gguf.py --outtype f16</c> writes them).</summary>
public sealed class GgufF16Tests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("align-gguf-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void F16_matrices_and_f32_norms_load_to_the_exact_weights_with_an_untied_output()
    {
        var config = TestModels.Llama() with { Rotation = RopeRotation.Interleaved, RopeTheta = 500 };
        using var original = TestModels.Randomized(new LlamaModel(config), seed: 31);
        using (no_grad())
        {
            foreach (var (_, parameter) in original.NamedParameters())
            {
                parameter.copy_(parameter.to(float16).to(float32)); // every value exactly representable in F16
            }
        }

        var weights = TestModels.Weights(original);
        var path = Path.Combine(folder, "model.gguf");
        WriteGguf(path, config, weights);

        var gguf = GgufFile.Read(path);
        using var loaded = ModelLoader.Load(path, ModelRuntimeOptions.Cpu).Model;
        var reloaded = TestModels.Weights(loaded);

        Assert.Equal(GgufTensorType.F16, gguf.Tensors.Single(t => t.Name == "blk.1.attn_q.weight").Type);
        Assert.Equal(config with { RmsNormEps = (float)config.RmsNormEps }, loaded.Config); // GGUF stores epsilon as float32
        Assert.Equal(weights.Keys.Order(), reloaded.Keys.Order());
        Assert.All(weights, w => Assert.Equal(w.Value, reloaded[w.Key]));
    }

    private static string GgufName(string hfName) => hfName switch
    {
        "model.embed_tokens.weight" => "token_embd.weight",
        "model.norm.weight" => "output_norm.weight",
        "lm_head.weight" => "output.weight",
        _ => hfName.Replace("model.layers.", "blk.")
            .Replace("input_layernorm", "attn_norm").Replace("self_attn.q_proj", "attn_q").Replace("self_attn.k_proj", "attn_k")
            .Replace("self_attn.v_proj", "attn_v").Replace("self_attn.o_proj", "attn_output").Replace("post_attention_layernorm", "ffn_norm")
            .Replace("mlp.gate_proj", "ffn_gate").Replace("mlp.up_proj", "ffn_up").Replace("mlp.down_proj", "ffn_down"),
    };

    /// <summary>GGUF v3 (ggml docs/gguf.md): header, metadata, tensor infos (ne[] innermost first), 32-byte aligned data.</summary>
    private static void WriteGguf(string path, LlamaConfig c, Dictionary<string, float[]> weights)
    {
        using var writer = new BinaryWriter(File.Create(path));
        void String(string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            writer.Write((ulong)bytes.Length);
            writer.Write(bytes);
        }

        (string Key, object Value)[] metadata =
        [
            ("general.architecture", "llama"), ("llama.embedding_length", (uint)c.HiddenSize),
            ("llama.feed_forward_length", (uint)c.IntermediateSize), ("llama.block_count", (uint)c.NumLayers),
            ("llama.attention.head_count", (uint)c.NumHeads), ("llama.attention.head_count_kv", (uint)c.NumKvHeads),
            ("llama.attention.layer_norm_rms_epsilon", (float)c.RmsNormEps), ("llama.rope.freq_base", (float)c.RopeTheta),
            ("llama.context_length", (uint)c.MaxSequenceLength),
        ];
        var tensors = weights.Select(w => (Name: GgufName(w.Key), Values: w.Value, Shape: ShapeOf(w.Key, c), F16: !w.Key.EndsWith("norm.weight"))).ToArray();
        writer.Write("GGUF"u8);
        writer.Write(3u);
        writer.Write((ulong)tensors.Length);
        writer.Write((ulong)metadata.Length);
        foreach (var (key, value) in metadata)
        {
            String(key);
            switch (value)
            {
                case string s: writer.Write(8u); String(s); break;
                case uint u: writer.Write(4u); writer.Write(u); break;
                case float f: writer.Write(6u); writer.Write(f); break;
            }
        }

        var offset = 0L;
        foreach (var t in tensors)
        {
            String(t.Name);
            writer.Write((uint)t.Shape.Length);
            foreach (var dim in t.Shape.Reverse())
            {
                writer.Write((ulong)dim);
            }

            writer.Write(t.F16 ? 1u : 0u);
            writer.Write((ulong)offset);
            offset += Aligned(t.Values.Length * (t.F16 ? 2 : 4));
        }

        Pad(writer);
        foreach (var t in tensors)
        {
            foreach (var v in t.Values)
            {
                if (t.F16)
                {
                    writer.Write((Half)v);
                }
                else
                {
                    writer.Write(v);
                }
            }

            Pad(writer);
        }
    }

    private static long[] ShapeOf(string name, LlamaConfig c)
    {
        long C = c.HiddenSize, kv = c.NumKvHeads * c.ResolvedHeadDim, I = c.IntermediateSize;
        return name switch
        {
            "model.embed_tokens.weight" or "lm_head.weight" => [c.VocabSize, C],
            _ when name.EndsWith("norm.weight") => [C],
            _ when name.Contains("k_proj") || name.Contains("v_proj") => [kv, C],
            _ when name.Contains("gate_proj") || name.Contains("up_proj") => [I, C],
            _ when name.Contains("down_proj") => [C, I],
            _ => [C, C],
        };
    }

    private static long Aligned(long bytes) => (bytes + 31) / 32 * 32;

    private static void Pad(BinaryWriter writer)
    {
        while (writer.BaseStream.Position % 32 != 0)
        {
            writer.Write((byte)0);
        }
    }
}
