using System.Text.Json.Nodes;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.Runtime;
using TorchSharp;

namespace AlignmentPipeline.Modeling.Tests;

public sealed class CheckpointRoundTripTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("align-model-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    public static TheoryData<string> Models() => ["llama-untied-bias", "qwen2-tied", "gpt2"];

    private static ICausalLanguageModel Create(string name) => name switch
    {
        "llama-untied-bias" => TestModels.Randomized(
            new LlamaModel(TestModels.Llama() with { AttentionBias = true, AttentionOutputBias = true, RopeScaling = new RopeScaling("llama3", 8, 1, 4, 32) }), 3),
        "qwen2-tied" => TestModels.Randomized(new LlamaModel(TestModels.Llama() with { ModelType = "qwen2", AttentionBias = true, TieWordEmbeddings = true }), 4),
        _ => TestModels.Randomized(new Gpt2Model(TestModels.Gpt2()), 5),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Saved_safetensors_reload_bit_exact_with_an_equal_config(string name)
    {
        using var original = Create(name);

        original.Save(folder);
        using var loaded = ModelLoader.Load(folder, ModelRuntimeOptions.Cpu).Model;

        Assert.Equal(original.Config, loaded.Config);
        AssertBitExact(TestModels.Weights(original), TestModels.Weights(loaded));
    }

    [Fact]
    public void Bfloat16_model_saves_bf16_tensors_and_reloads_bit_exact()
    {
        using var original = Create("llama-untied-bias");
        original.Module.to(TorchSharp.torch.ScalarType.BFloat16);

        original.Save(folder);
        using var loaded = ModelLoader.Load(folder, new ModelRuntimeOptions(DType: "bfloat16")).Model;

        Assert.Equal("BF16", ReadHeader(Path.Combine(folder, "model.safetensors"))["model.norm.weight"]!["dtype"]!.GetValue<string>());
        Assert.Equal(TorchSharp.torch.ScalarType.BFloat16, loaded.DType);
        AssertBitExact(TestModels.Weights(original), TestModels.Weights(loaded));
    }

    [Fact]
    public void Interleaved_rope_model_is_saved_in_hf_layout_and_computes_the_same_logits()
    {
        var config = TestModels.Llama() with { Rotation = RopeRotation.Interleaved };
        using var original = TestModels.Randomized(new LlamaModel(config), 9);
        var tokens = TestModels.RandomTokens(17, config.VocabSize, 1);

        original.Save(folder);
        using var loaded = (LlamaModel)ModelLoader.Load(folder, ModelRuntimeOptions.Cpu).Model;

        Assert.Equal(RopeRotation.HalfSplit, loaded.Config.Rotation);
        Assert.InRange(TestModels.MaxAbsDiff(TestModels.Logits(original, tokens), TestModels.Logits(loaded, tokens)), 0, 1e-5);
        // Rows of q_proj were reordered, not changed: row (i + hd/2) of head 0 is original row 2i + 1.
        var (before, after) = (TestModels.Weights(original)["model.layers.0.self_attn.q_proj.weight"], TestModels.Weights(loaded)["model.layers.0.self_attn.q_proj.weight"]);
        var (dim, halfHead) = (config.HiddenSize, config.ResolvedHeadDim / 2);
        Assert.Equal(before.AsSpan((2 * 1 + 1) * dim, dim).ToArray(), after.AsSpan((1 + halfHead) * dim, dim).ToArray());
    }

    [Fact]
    public void Sharded_index_loads_the_same_weights_as_a_single_file()
    {
        using var original = Create("llama-untied-bias");
        original.Save(folder);
        var single = Path.Combine(folder, "model.safetensors");
        var tensors = SafetensorsFile.Read(single).Select(kv => (kv.Key, kv.Value)).OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        var half = tensors.Count / 2;
        SafetensorsFile.Write(Path.Combine(folder, "model-00001-of-00002.safetensors"), tensors[..half], bfloat16: false);
        SafetensorsFile.Write(Path.Combine(folder, "model-00002-of-00002.safetensors"), tensors[half..], bfloat16: false);
        var weightMap = new JsonObject();
        foreach (var (i, (key, _)) in tensors.Index())
        {
            weightMap[key] = i < half ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
        }

        File.WriteAllText(Path.Combine(folder, "model.safetensors.index.json"), new JsonObject { ["weight_map"] = weightMap }.ToJsonString());
        File.Delete(single);

        var loaded = ModelLoader.Load(Path.Combine(folder, "model.safetensors.index.json"), ModelRuntimeOptions.Cpu);
        using var model = loaded.Model;

        Assert.Equal("huggingface", loaded.Format);
        AssertBitExact(TestModels.Weights(original), TestModels.Weights(model));
    }

    [Fact]
    public void F16_and_BF16_tensors_decode_to_the_exact_float32_values()
    {
        var path = Path.Combine(folder, "halves.safetensors");
        // 1.5 = F16 0x3E00 = BF16 0x3FC0; -2 = F16 0xC000 = BF16 0xC000; 65504 = F16 0x7BFF (largest half).
        var header = """{"a":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[6,10]}}""";
        using (var stream = File.Create(path))
        {
            stream.Write(BitConverter.GetBytes((long)header.Length));
            stream.Write(System.Text.Encoding.UTF8.GetBytes(header));
            stream.Write([0x00, 0x3E, 0x00, 0xC0, 0xFF, 0x7B, 0xC0, 0x3F, 0x00, 0xC0]);
        }

        var tensors = SafetensorsFile.Read(path);

        Assert.Equal([1.5f, -2f, 65504f], tensors["a"].Values);
        Assert.Equal([1.5f, -2f], tensors["b"].Values);
    }

    [Fact]
    public void Content_hash_is_stable_for_the_same_files_and_changes_with_the_config()
    {
        using var model = Create("gpt2");
        model.Save(folder);

        var first = ModelLoader.Load(folder, ModelRuntimeOptions.Cpu);
        var second = ModelLoader.Load(folder, ModelRuntimeOptions.Cpu);
        File.AppendAllText(Path.Combine(folder, "config.json"), " ");
        var third = ModelLoader.Load(folder, ModelRuntimeOptions.Cpu);
        foreach (var loaded in new[] { first, second, third })
        {
            loaded.Model.Dispose();
        }

        Assert.Matches("^[0-9a-f]{64}$", first.ContentHash);
        Assert.Equal(first.ContentHash, second.ContentHash);
        Assert.NotEqual(first.ContentHash, third.ContentHash);
    }

    [Fact]
    public void Every_load_increments_the_process_load_counter()
    {
        using var model = Create("gpt2");
        model.Save(folder);
        var before = ModelLoader.LoadCount;

        ModelLoader.Load(folder, ModelRuntimeOptions.Cpu).Model.Dispose();

        Assert.True(ModelLoader.LoadCount >= before + 1);
    }

    private static JsonObject ReadHeader(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return JsonNode.Parse(bytes.AsSpan(8, (int)BitConverter.ToInt64(bytes, 0)))!.AsObject();
    }

    private static void AssertBitExact(Dictionary<string, float[]> expected, Dictionary<string, float[]> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, values) in expected)
        {
            Assert.True(
                values.Select(BitConverter.SingleToInt32Bits).SequenceEqual(actual[name].Select(BitConverter.SingleToInt32Bits)),
                $"tensor {name} changed in the round trip");
        }
    }
}
