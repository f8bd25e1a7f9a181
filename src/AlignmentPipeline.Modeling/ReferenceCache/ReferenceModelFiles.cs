using System.Buffers.Binary;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Tokenization;

namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>
/// The files behind a reference model, found without loading weights: which files the weight hash covers (the same
/// list <see cref="ModelLoader"/> hashes), the architecture config as JSON, and where the tokenizer is.
/// </summary>
public static class ReferenceModelFiles
{
    /// <summary>
    /// The tokenizer path for a model: <paramref name="tokenizer"/> when given; else the .gguf itself (embedded
    /// vocabulary) or the Hugging Face folder (tokenizer.json, byte_tokenizer.json or tokenizer.bin inside).
    /// A llama2.c .bin has no tokenizer of its own, so one must be given.
    /// </summary>
    /// <exception cref="UserErrorException">A llama2.c .bin without <paramref name="tokenizer"/>.</exception>
    public static string ResolveTokenizer(string modelPath, string? tokenizer)
    {
        if (tokenizer is not null)
        {
            return Path.GetFullPath(tokenizer);
        }

        var full = Path.GetFullPath(modelPath);
        if (Directory.Exists(full))
        {
            return full;
        }

        return Path.GetExtension(full).ToLowerInvariant() switch
        {
            ".gguf" => full,
            ".safetensors" or ".json" => Path.GetDirectoryName(full)!,
            _ => throw new UserErrorException($"model '{modelPath}' carries no tokenizer; set 'tokenizer' (for llama2.c models e.g. tok512.bin beside the .bin)"),
        };
    }

    /// <summary>Loads the tokenizer at <paramref name="path"/> (a GGUF's embedded vocabulary included).</summary>
    public static LoadedTokenizer LoadTokenizer(string path) => TokenizerLoader.Load(path, p => GgufFile.Read(p).Metadata);

    /// <summary>Lowercase hex SHA-256 of the model files, equal to <see cref="LoadedModel.ContentHash"/> for the same path.</summary>
    public static string WeightsHash(string modelPath) => ContentHash.Of(Files(Path.GetFullPath(modelPath)));

    /// <summary>
    /// The architecture as canonical JSON text: config.json for Hugging Face folders, the non-tokenizer scalar metadata
    /// for GGUF, the 7-integer header for llama2.c.
    /// </summary>
    public static string ConfigJson(string modelPath)
    {
        var full = Path.GetFullPath(modelPath);
        JsonNode config = Format(full) switch
        {
            "huggingface" => JsonNode.Parse(File.ReadAllText(HfCheckpoint.Locate(HfFolder(full)).Config))!,
            "gguf" => new JsonObject(GgufFile.Read(full).Metadata
                .Where(m => !m.Key.StartsWith("tokenizer.", StringComparison.Ordinal) && m.Value is not Array)
                .Select(m => KeyValuePair.Create(m.Key, JsonValue.Create(m.Value.ToString()) as JsonNode))),
            _ => Llama2cHeader(full),
        };
        return Core.Hashing.CanonicalJson.Serialize(config);
    }

    private static IReadOnlyList<string> Files(string full)
    {
        if (Format(full) == "huggingface")
        {
            var (config, weights) = HfCheckpoint.Locate(HfFolder(full));
            return [config, .. weights];
        }

        return [full];
    }

    private static string Format(string full)
    {
        if (Directory.Exists(full) || full.EndsWith(".safetensors", StringComparison.Ordinal) || Path.GetFileName(full) == "model.safetensors.index.json")
        {
            return "huggingface";
        }

        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"model path '{full}' is neither a file nor a folder", full);
        }

        var magic = new byte[4];
        using (var stream = File.OpenRead(full))
        {
            stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        }

        return magic.AsSpan().SequenceEqual("GGUF"u8) ? "gguf" : "llama2c";
    }

    private static string HfFolder(string full) => Directory.Exists(full) ? full : Path.GetDirectoryName(full)!;

    private static JsonObject Llama2cHeader(string full)
    {
        var header = new byte[28];
        using (var stream = File.OpenRead(full))
        {
            stream.ReadExactly(header);
        }

        string[] names = ["dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len"];
        return new JsonObject(names.Select((name, i) => KeyValuePair.Create(name, (JsonNode?)BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4 * i)))));
    }
}
