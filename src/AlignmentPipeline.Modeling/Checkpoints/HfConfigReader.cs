using System.Text.Json;
using System.Text.Json.Nodes;
using AlignmentPipeline.Modeling.Models;

namespace AlignmentPipeline.Modeling.Checkpoints;

/// <summary>Reads a Hugging Face <c>config.json</c> (model_type llama, mistral, qwen2 or gpt2) into our configs.</summary>
internal static class HfConfigReader
{
    public static ICausalLanguageModelConfig Read(string path)
    {
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new JsonException("config is null");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new ModelFormatException(path, $"config.json is not a JSON object: {e.Message}", e);
        }

        var reader = new Fields(path, json);
        var modelType = reader.String("model_type", null);
        return modelType switch
        {
            "llama" or "mistral" or "qwen2" => ReadLlama(reader, modelType),
            "gpt2" => ReadGpt2(reader),
            _ => throw new ModelFormatException(path, $"model_type '{modelType}' is not supported (llama, mistral, qwen2, gpt2)"),
        };
    }

    private static LlamaConfig ReadLlama(Fields f, string modelType)
    {
        var activation = f.String("hidden_act", "silu");
        if (activation != "silu" || f.Bool("mlp_bias", false))
        {
            throw new ModelFormatException(f.Path, $"hidden_act '{activation}' / mlp_bias true are not supported (silu, no MLP bias)");
        }

        var heads = f.Int("num_attention_heads", null);
        var maxPositions = f.Int("max_position_embeddings", 2048);
        var slidingWindow = f.OptionalInt("sliding_window");
        var useSlidingWindow = modelType == "mistral" || f.Bool("use_sliding_window", false);
        var attentionBias = f.Bool("attention_bias", false);
        var config = new LlamaConfig
        {
            ModelType = modelType,
            VocabSize = f.Int("vocab_size", null),
            HiddenSize = f.Int("hidden_size", null),
            IntermediateSize = f.Int("intermediate_size", null),
            NumLayers = f.Int("num_hidden_layers", null),
            NumHeads = heads,
            NumKvHeads = f.Int("num_key_value_heads", heads),
            HeadDim = f.OptionalInt("head_dim"),
            RmsNormEps = f.Double("rms_norm_eps", 1e-6),
            RopeTheta = f.Double("rope_theta", 10000),
            RopeScaling = ReadRopeScaling(f),
            // Sliding-window attention equals full causal attention up to the window, so we cap the length there.
            MaxSequenceLength = useSlidingWindow && slidingWindow is { } w && w < maxPositions ? w : maxPositions,
            TieWordEmbeddings = f.Bool("tie_word_embeddings", false),
            AttentionBias = modelType == "qwen2" || attentionBias,
            AttentionOutputBias = modelType != "qwen2" && attentionBias,
        };
        var problems = config.Validate();
        return problems.Count == 0 ? config : throw new ModelFormatException(f.Path, string.Join("; ", problems));
    }

    private static RopeScaling? ReadRopeScaling(Fields f)
    {
        if (f.Json["rope_scaling"] is not JsonObject scaling)
        {
            return null;
        }

        var inner = new Fields(f.Path, scaling);
        var type = inner.OptionalString("rope_type") ?? inner.String("type", null);
        return type == "default"
            ? null
            : new RopeScaling(
                type,
                inner.Double("factor", null),
                inner.Double("low_freq_factor", 1),
                inner.Double("high_freq_factor", 4),
                inner.Int("original_max_position_embeddings", 8192));
    }

    private static Gpt2Config ReadGpt2(Fields f)
    {
        var config = new Gpt2Config
        {
            VocabSize = f.Int("vocab_size", null),
            HiddenSize = f.Int("n_embd", null),
            NumLayers = f.Int("n_layer", null),
            NumHeads = f.Int("n_head", null),
            MaxSequenceLength = f.Int("n_positions", 1024),
            InnerSize = f.OptionalInt("n_inner"),
            LayerNormEps = f.Double("layer_norm_epsilon", 1e-5),
            Activation = f.String("activation_function", "gelu_new"),
        };
        var problems = config.Validate();
        return problems.Count == 0 ? config : throw new ModelFormatException(f.Path, string.Join("; ", problems));
    }

    /// <summary>Typed access to config keys; a null default means the key is required.</summary>
    private sealed record Fields(string Path, JsonObject Json)
    {
        public string String(string key, string? fallback) =>
            OptionalString(key) ?? fallback ?? throw Missing(key);

        public string? OptionalString(string key) => Get(key, n => n.GetValue<string>());

        public int Int(string key, int? fallback) => OptionalInt(key) ?? fallback ?? throw Missing(key);

        public int? OptionalInt(string key) => Get(key, n => (int?)n.GetValue<int>());

        public double Double(string key, double? fallback) =>
            Get(key, n => (double?)n.GetValue<double>()) ?? fallback ?? throw Missing(key);

        public bool Bool(string key, bool fallback) => Get(key, n => (bool?)n.GetValue<bool>()) ?? fallback;

        private T? Get<T>(string key, Func<JsonNode, T> read)
        {
            if (Json[key] is not { } node)
            {
                return default;
            }

            try
            {
                return read(node);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                throw new ModelFormatException(Path, $"key '{key}' has value {node.ToJsonString()} of the wrong type", e);
            }
        }

        private ModelFormatException Missing(string key) => new(Path, $"required key '{key}' is missing");
    }
}
