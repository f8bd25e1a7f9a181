using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Models;

namespace AlignmentPipeline.Modeling.Tests;

/// <summary><c>rope_scaling</c> in config.json as transformers writes it across versions.</summary>
public sealed class RopeScalingConfigTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("align-rope-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private LlamaConfig Read(string ropeScaling)
    {
        var path = Path.Combine(folder, "config.json");
        File.WriteAllText(path, $$"""
            {"model_type": "llama", "vocab_size": 37, "hidden_size": 32, "intermediate_size": 89, "num_hidden_layers": 2,
             "num_attention_heads": 4, "rope_scaling": {{ropeScaling}}}
            """);
        return (LlamaConfig)HfConfigReader.Read(path);
    }

    [Fact]
    public void Legacy_type_key_reads_linear_scaling()
    {
        Assert.Equal(new RopeScaling("linear", 2), Read("""{"type": "linear", "factor": 2.0}""").RopeScaling);
    }

    [Fact]
    public void Llama3_rope_type_reads_every_factor()
    {
        var scaling = Read("""
            {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}
            """).RopeScaling;

        Assert.Equal(new RopeScaling("llama3", 8, 1, 4, 8192), scaling);
    }

    [Fact]
    public void Default_rope_type_and_null_mean_no_scaling()
    {
        Assert.Null(Read("""{"rope_type": "default"}""").RopeScaling);
        Assert.Null(Read("null").RopeScaling);
    }

    [Fact]
    public void Unsupported_rope_type_is_a_format_error_naming_the_file_and_the_type()
    {
        var error = Assert.Throws<ModelFormatException>(() => Read("""{"rope_type": "yarn", "factor": 4.0}"""));

        Assert.Contains("config.json", error.Message);
        Assert.Contains("'yarn'", error.Message);
    }
}
