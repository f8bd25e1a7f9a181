using AlignmentPipeline.TestSupport;
using System.Text.Json.Nodes;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Modeling.Tests.Tokenization;

namespace AlignmentPipeline.Modeling.Tests;

/// <summary>Malformed or unsupported files end in a <see cref="ModelFormatException"/> that says what and where.</summary>
public sealed class BadModelFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("align-badmodel-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Truncated_llama2c_checkpoint_reports_expected_and_found_sizes()
    {
        var path = Prefix("models/stories260K/stories260K.bin", 100_000, "cut.bin");

        var error = Assert.Throws<ModelFormatException>(() => ModelLoader.Load(path, ModelRuntimeOptions.Cpu));

        Assert.Equal(path, error.FilePath);
        Assert.Contains("should be 1056540 bytes", error.Message);
        Assert.Contains("but is 100000 bytes (truncated)", error.Message);
    }

    [Fact]
    public void Llama2c_export_version_1_is_named_and_refused()
    {
        var path = Path.Combine(folder, "v1.bin");
        File.WriteAllBytes(path, [.. "24ka"u8, .. new byte[252]]);

        var error = Assert.Throws<ModelFormatException>(() => ModelLoader.Load(path, ModelRuntimeOptions.Cpu));

        Assert.Contains("version 1/2", error.Message);
    }

    [Theory]
    [InlineData(10, "GGUF header is truncated")]
    [InlineData(4_000, "runs past the end of the file")]
    [InlineData(1_100_000, "(truncated?)")]
    public void Truncated_gguf_reports_where_it_ends(int length, string expected)
    {
        var path = Prefix("models/stories260K/stories260K.gguf", length, "cut.gguf");

        var error = Assert.Throws<ModelFormatException>(() => ModelLoader.Load(path, ModelRuntimeOptions.Cpu));

        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Gguf_with_wrong_magic_is_rejected()
    {
        var path = Path.Combine(folder, "bad.gguf");
        File.WriteAllBytes(path, [.. "GGUX"u8, 3, 0, 0, 0]);

        var error = Assert.Throws<ModelFormatException>(() => GgufFile.Read(path));

        Assert.Contains("not a GGUF file: magic 0x58554747", error.Message);
    }

    [Fact]
    public void Gguf_metadata_and_tensor_directory_are_exposed()
    {
        var gguf = GgufFile.Read(SharedData.RequireFile("models/stories260K/stories260K.gguf"));

        Assert.Equal(3u, gguf.Version);
        Assert.Equal("llama", gguf.GetString("general.architecture"));
        Assert.Equal(8, gguf.GetInteger("llama.rope.dimension_count"));
        Assert.Equal(512, gguf.GetArray<string>("tokenizer.ggml.tokens").Length);
        Assert.Equal(-(300 - 259), gguf.GetArray<float>("tokenizer.ggml.scores")[300]);
        Assert.Equal(6, gguf.GetArray<int>("tokenizer.ggml.token_type")[3]); // <0x00> is a byte token
        Assert.Equal(48, gguf.Tensors.Count);
        Assert.Equal([512L, 64L], gguf.Tensors.Single(t => t.Name == "token_embd.weight").Shape);
    }

    [Fact]
    public void Config_that_does_not_match_the_weights_names_tensor_and_both_shapes()
    {
        using (var model = new LlamaModel(TestModels.Llama()))
        {
            model.Save(folder);
        }

        EditConfig(c => c["intermediate_size"] = 50);

        var error = Assert.Throws<ModelFormatException>(() => ModelLoader.Load(folder, ModelRuntimeOptions.Cpu));

        Assert.Contains("tensor 'model.layers.0.mlp.gate_proj.weight': expected shape [50, 32], found [89, 32]", error.Message);
    }

    [Fact]
    public void Unknown_architecture_is_named()
    {
        using (var model = new Gpt2Model(TestModels.Gpt2()))
        {
            model.Save(folder);
        }

        EditConfig(c => c["model_type"] = "bert");

        var error = Assert.Throws<ModelFormatException>(() => ModelLoader.Load(folder, ModelRuntimeOptions.Cpu));

        Assert.Contains("model_type 'bert' is not supported (llama, mistral, qwen2, gpt2)", error.Message);
    }

    [Fact]
    public void Missing_and_unexpected_tensors_are_listed()
    {
        using (var model = new Gpt2Model(TestModels.Gpt2()))
        {
            model.Save(folder);
        }

        EditConfig(c => c["n_layer"] = 3);
        var missing = Assert.Throws<ModelFormatException>(() => ModelLoader.Load(folder, ModelRuntimeOptions.Cpu));
        EditConfig(c => c["n_layer"] = 1);
        var unexpected = Assert.Throws<ModelFormatException>(() => ModelLoader.Load(folder, ModelRuntimeOptions.Cpu));

        Assert.Contains("tensor 'transformer.h.2.ln_1.weight' is missing", missing.Message);
        Assert.Contains("have no place in the gpt2 model: transformer.h.1.", unexpected.Message);
    }

    [Theory]
    [InlineData("""{"x":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}""", 8, "tensor 'x' has dtype I64; only F32, F16 and BF16")]
    [InlineData("""{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 8, "expects 16 bytes at [0, 16) of a data section of 8 bytes")]
    [InlineData("""{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}""", 8, "expects 8 bytes at [0, 4)")]
    [InlineData("""[1, 2]""", 0, "header is not a JSON object")]
    public void Malformed_safetensors_name_the_tensor_and_the_problem(string header, int dataBytes, string expected)
    {
        var path = Path.Combine(folder, "model.safetensors");
        using (var stream = File.Create(path))
        {
            stream.Write(BitConverter.GetBytes((long)header.Length));
            stream.Write(System.Text.Encoding.UTF8.GetBytes(header));
            stream.Write(new byte[dataBytes]);
        }

        var error = Assert.Throws<ModelFormatException>(() => SafetensorsFile.Read(path));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Safetensors_header_length_beyond_the_file_is_rejected()
    {
        var path = Path.Combine(folder, "model.safetensors");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(1_000_000L), .. "{}"u8]);

        var error = Assert.Throws<ModelFormatException>(() => SafetensorsFile.Read(path));

        Assert.Contains("header length 1000000 does not fit the file of 10 bytes", error.Message);
    }

    [Fact]
    public void Folder_without_config_json_says_what_is_missing()
    {
        var error = Assert.Throws<ModelFormatException>(() => ModelLoader.Load(folder, ModelRuntimeOptions.Cpu));

        Assert.Contains("config.json is missing", error.Message);
    }

    private string Prefix(string sharedFile, int length, string name)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, File.ReadAllBytes(SharedData.RequireFile(sharedFile))[..length]);
        return path;
    }

    private void EditConfig(Action<JsonObject> edit)
    {
        var path = Path.Combine(folder, "config.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }
}
