using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AlignmentPipeline.Modeling.Models;

namespace AlignmentPipeline.Modeling.Checkpoints;

/// <summary>
/// A Hugging Face folder: <c>config.json</c> plus <c>model.safetensors</c> or shards listed in
/// <c>model.safetensors.index.json</c>.
/// </summary>
internal static partial class HfCheckpoint
{
    /// <summary>The files that make up the checkpoint in <paramref name="directory"/>, config first.</summary>
    public static (string Config, IReadOnlyList<string> Weights) Locate(string directory)
    {
        var config = Path.Combine(directory, "config.json");
        if (!File.Exists(config))
        {
            throw new ModelFormatException(directory, "config.json is missing; a Hugging Face checkpoint folder needs it next to the weights");
        }

        var single = Path.Combine(directory, "model.safetensors");
        var index = Path.Combine(directory, "model.safetensors.index.json");
        if (File.Exists(single))
        {
            return (config, [single]);
        }

        if (!File.Exists(index))
        {
            throw new ModelFormatException(directory, "neither model.safetensors nor model.safetensors.index.json is present");
        }

        try
        {
            var weightMap = JsonNode.Parse(File.ReadAllText(index))!["weight_map"]!.AsObject();
            var shards = weightMap.Select(kv => kv.Value!.GetValue<string>()).Distinct().Order(StringComparer.Ordinal)
                .Select(name => Path.Combine(directory, name)).ToList();
            var missing = shards.FirstOrDefault(s => !File.Exists(s));
            return missing is null
                ? (config, [index, .. shards])
                : throw new ModelFormatException(index, $"shard '{Path.GetFileName(missing)}' listed in weight_map does not exist");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException)
        {
            throw new ModelFormatException(index, $"not a valid safetensors index (needs a 'weight_map' object): {e.Message}", e);
        }
    }

    /// <summary>Builds the model described by config.json and fills it from the safetensors files.</summary>
    public static ICausalLanguageModel Load(string directory)
    {
        var (configPath, weightFiles) = Locate(directory);
        var config = HfConfigReader.Read(configPath);
        var tensors = new Dictionary<string, HostTensor>(StringComparer.Ordinal);
        foreach (var file in weightFiles.Where(f => f.EndsWith(".safetensors", StringComparison.Ordinal)))
        {
            foreach (var (name, tensor) in SafetensorsFile.Read(file))
            {
                tensors[Canonical(config, name)] = tensor;
            }
        }

        ICausalLanguageModel model = config switch
        {
            LlamaConfig llama => new LlamaModel(llama),
            Gpt2Config gpt2 => new Gpt2Model(gpt2),
            _ => throw new InvalidOperationException($"no model for config {config.GetType().Name}"),
        };
        try
        {
            WeightAssigner.Assign(model, tensors, directory, name => Ignorable(config, name));
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    // GPT-2 checkpoints often omit the "transformer." prefix (the original openai-community/gpt2 files do).
    private static string Canonical(ICausalLanguageModelConfig config, string name) =>
        config is Gpt2Config && !name.StartsWith("transformer.", StringComparison.Ordinal) && !name.StartsWith("lm_head.", StringComparison.Ordinal)
        && name != ScalarRewardModel.ScoreWeightName
            ? "transformer." + name
            : name;

    // A reward model's head (ScalarRewardModel.Load reads it); the backbone alone loads as the causal LM.
    private static bool Ignorable(ICausalLanguageModelConfig config, string name) => name == ScalarRewardModel.ScoreWeightName || config switch
    {
        LlamaConfig llama => name.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal)
                             || (llama.TieWordEmbeddings && name == "lm_head.weight"),
        Gpt2Config => name == "lm_head.weight" || Gpt2MaskBuffer().IsMatch(name),
        _ => false,
    };

    [GeneratedRegex(@"^transformer\.h\.\d+\.attn\.(bias|masked_bias)$")]
    private static partial Regex Gpt2MaskBuffer();
}
