using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.Runtime;

namespace AlignmentPipeline.Modeling.Tests;

/// <summary>llama2.c legacy files with a shared classifier (positive vocab_size) and a separate one (negative, trailing wcls).</summary>
public sealed class Llama2cClassifierTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("align-llama2c-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Shared_and_separate_classifiers_load_bit_exact_with_the_tie_from_the_vocab_sign(bool shared)
    {
        var config = TestModels.Llama() with { Rotation = RopeRotation.Interleaved, TieWordEmbeddings = shared };
        using var original = TestModels.Randomized(new LlamaModel(config), seed: shared ? 21 : 22);
        var weights = TestModels.Weights(original);
        var path = Path.Combine(folder, "model.bin");
        WriteLegacy(path, config, weights);

        using var loaded = ModelLoader.Load(path, ModelRuntimeOptions.Cpu).Model;
        var reloaded = TestModels.Weights(loaded);

        Assert.Equal(config, loaded.Config);
        Assert.Equal(weights.Keys.Order(), reloaded.Keys.Order());
        Assert.All(weights, w => Assert.Equal(w.Value, reloaded[w.Key]));
        Assert.Equal(shared, !reloaded.ContainsKey("lm_head.weight"));
    }

    /// <summary>llama2.c export.py legacy_export: 7 int32, then float32 arrays in run.c's order; freq_cis is unused by run.c.</summary>
    private static void WriteLegacy(string path, LlamaConfig c, Dictionary<string, float[]> w)
    {
        using var writer = new BinaryWriter(File.Create(path));
        var vocab = c.TieWordEmbeddings ? c.VocabSize : -c.VocabSize;
        foreach (var value in new[] { c.HiddenSize, c.IntermediateSize, c.NumLayers, c.NumHeads, c.NumKvHeads, vocab, c.MaxSequenceLength })
        {
            writer.Write(value);
        }

        void Floats(IEnumerable<float> values)
        {
            foreach (var value in values)
            {
                writer.Write(value);
            }
        }

        void PerLayer(string suffix) => Floats(Enumerable.Range(0, c.NumLayers).SelectMany(l => w[$"model.layers.{l}.{suffix}"]));

        Floats(w["model.embed_tokens.weight"]);
        foreach (var suffix in new[]
                 {
                     "input_layernorm.weight", "self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight",
                     "self_attn.o_proj.weight", "post_attention_layernorm.weight", "mlp.gate_proj.weight", "mlp.down_proj.weight",
                     "mlp.up_proj.weight",
                 })
        {
            PerLayer(suffix);
        }

        Floats(w["model.norm.weight"]);
        Floats(new float[2 * c.MaxSequenceLength * c.ResolvedHeadDim / 2]); // freq_cis_real, freq_cis_imag
        if (!c.TieWordEmbeddings)
        {
            Floats(w["lm_head.weight"]);
        }
    }
}
