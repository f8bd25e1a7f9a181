using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Hashing;

namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>
/// What a cached reference log-prob depends on. Two caches with the same <see cref="Key"/> hold the same numbers for the
/// same pairs; a trainer computes the key of its declared reference and refuses a cache whose key differs
/// (<see cref="ReferenceCacheGuard"/>).
/// </summary>
/// <param name="WeightsHash">SHA-256 of the weight files and config (as <c>LoadedModel.ContentHash</c>).</param>
/// <param name="ModelConfig">The architecture as canonical JSON.</param>
/// <param name="TokenizerHash">The tokenizer's <c>ContentHash</c>.</param>
/// <param name="Template">The chat template name (<c>none</c> for raw text).</param>
/// <param name="AddBos">Whether BOS is prepended to prompts.</param>
/// <param name="AddEos">Whether EOS is appended to completions.</param>
/// <param name="MaxLength">Longest prompt + completion in tokens.</param>
/// <param name="Truncation"><c>keep_start</c> or <c>keep_end</c>.</param>
/// <param name="DType"><c>float32</c> or <c>bfloat16</c>.</param>
/// <param name="Reduction">How token log-probs become a sequence value: always <c>sum</c>.</param>
public sealed record ReferenceCacheKey(
    string WeightsHash,
    string ModelConfig,
    string TokenizerHash,
    string Template,
    bool AddBos,
    bool AddEos,
    int MaxLength,
    string Truncation,
    string DType,
    string Reduction = "sum")
{
    /// <summary>Manifest metadata key holding <see cref="Key"/>.</summary>
    public const string KeyField = "cache_key";

    /// <summary>Manifest metadata key holding <see cref="ToJson"/>.</summary>
    public const string ComponentsField = "cache_key_components";

    /// <summary>Lowercase hex SHA-256 over the canonical JSON of the components.</summary>
    public string Key => CanonicalJson.Sha256(ToJson());

    /// <summary>
    /// The key of a reference model, hashing files only (no weights are loaded into TorchSharp; the tokenizer is read).
    /// </summary>
    /// <param name="modelPath">A Hugging Face folder, .safetensors, .gguf or llama2.c .bin.</param>
    /// <param name="tokenizerPath">The tokenizer; null: the model's own (see <see cref="ReferenceModelFiles.ResolveTokenizer"/>).</param>
    /// <param name="template">Chat template name. Default: none.</param>
    /// <param name="addBos">Prepend BOS; null: the tokenizer's default.</param>
    /// <param name="addEos">Append EOS; null: the tokenizer's default.</param>
    /// <param name="maxLength">Longest prompt + completion. Default: 512.</param>
    /// <param name="truncation">Default: keep_start.</param>
    /// <param name="dtype">Default: float32.</param>
    public static ReferenceCacheKey Compute(
        string modelPath,
        string? tokenizerPath = null,
        string template = "none",
        bool? addBos = null,
        bool? addEos = null,
        int maxLength = 512,
        Truncation truncation = ReferenceCache.Truncation.KeepStart,
        string dtype = "float32")
    {
        var tokenizer = ReferenceModelFiles.LoadTokenizer(ReferenceModelFiles.ResolveTokenizer(modelPath, tokenizerPath));
        return new ReferenceCacheKey(
            ReferenceModelFiles.WeightsHash(modelPath),
            ReferenceModelFiles.ConfigJson(modelPath),
            tokenizer.Tokenizer.ContentHash,
            template,
            addBos ?? tokenizer.DefaultRules.AddBos,
            addEos ?? tokenizer.DefaultRules.AddEos,
            maxLength,
            OptionProperty.SnakeCase(truncation.ToString()),
            dtype);
    }

    /// <summary>The key of a stage's options (the model path already resolved to a local path).</summary>
    public static ReferenceCacheKey Compute(string modelPath, RefLogProbsOptions options) =>
        Compute(modelPath, options.Tokenizer, options.Template, options.AddBos, options.AddEos, options.MaxLength, options.Truncation, options.Dtype);

    /// <summary>The components by name, as stored under <see cref="ComponentsField"/>.</summary>
    public JsonObject ToJson() => new()
    {
        ["weights_hash"] = WeightsHash,
        ["model_config"] = ModelConfig,
        ["tokenizer_hash"] = TokenizerHash,
        ["template"] = Template,
        ["add_bos"] = AddBos,
        ["add_eos"] = AddEos,
        ["max_length"] = MaxLength,
        ["truncation"] = Truncation,
        ["dtype"] = DType,
        ["reduction"] = Reduction,
    };

    /// <summary>Reads components written by <see cref="ToJson"/>.</summary>
    public static ReferenceCacheKey FromJson(JsonObject json) => new(
        json["weights_hash"]!.GetValue<string>(),
        json["model_config"]!.GetValue<string>(),
        json["tokenizer_hash"]!.GetValue<string>(),
        json["template"]!.GetValue<string>(),
        json["add_bos"]!.GetValue<bool>(),
        json["add_eos"]!.GetValue<bool>(),
        json["max_length"]!.GetValue<int>(),
        json["truncation"]!.GetValue<string>(),
        json["dtype"]!.GetValue<string>(),
        json["reduction"]!.GetValue<string>());

    /// <summary>Each component that differs from <paramref name="other"/>, as "name: this vs other" (empty when equal).</summary>
    public IReadOnlyList<string> Differences(ReferenceCacheKey other)
    {
        var mine = ToJson();
        var theirs = other.ToJson();
        return mine.Where(p => !JsonNode.DeepEquals(p.Value, theirs[p.Key]))
            .Select(p => $"{p.Key}: {Short(p.Value)} vs {Short(theirs[p.Key])}")
            .ToList();
    }

    private static string Short(JsonNode? value)
    {
        var text = value?.ToJsonString() ?? "null";
        return text.Length <= 80 ? text : text[..77] + "...";
    }
}
