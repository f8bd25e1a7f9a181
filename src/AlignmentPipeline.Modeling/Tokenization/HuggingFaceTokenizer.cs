using System.Text.Json.Nodes;

namespace AlignmentPipeline.Modeling.Tokenization;

/// <summary>
/// Loads a Hugging Face <c>tokenizer.json</c> (+ optional <c>tokenizer_config.json</c>) whose model is BPE, in one of
/// two families: byte-level (pre-tokenizer ByteLevel, or Split regex then ByteLevel: GPT-2, Llama-3, Qwen2) and
/// SentencePiece-style (Prepend/Replace normalizer or Metaspace pre-tokenizer, usually with byte fallback: Llama-2,
/// Mistral, TinyLlama). Anything else fails with a message naming the unsupported component.
/// </summary>
public static class HuggingFaceTokenizer
{
    /// <summary>The pre-tokenizer regex of GPT-2, used by a ByteLevel pre-tokenizer with <c>use_regex: true</c>.</summary>
    internal const string Gpt2SplitPattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private static readonly string[] BosCandidates = ["<s>", "<|begin_of_text|>", "<|startoftext|>"];
    private static readonly string[] EosCandidates = ["</s>", "<|end_of_text|>", "<|endoftext|>"];

    /// <summary>Loads <paramref name="tokenizerJsonPath"/>; <paramref name="tokenizerConfigPath"/> supplies bos/eos, add_bos_token and chat_template.</summary>
    /// <exception cref="NotSupportedException">The model, normalizer or pre-tokenizer is not one of the supported kinds.</exception>
    /// <exception cref="InvalidDataException">The JSON lacks a required field.</exception>
    public static LoadedTokenizer Load(string tokenizerJsonPath, string? tokenizerConfigPath = null)
    {
        var jsonBytes = File.ReadAllBytes(tokenizerJsonPath);
        var configBytes = tokenizerConfigPath is null ? [] : File.ReadAllBytes(tokenizerConfigPath);
        var root = JsonNode.Parse(jsonBytes) as JsonObject ?? throw Invalid(tokenizerJsonPath, "the file is not a JSON object");
        var config = configBytes.Length == 0 ? new JsonObject() : JsonNode.Parse(configBytes) as JsonObject
            ?? throw Invalid(tokenizerConfigPath!, "the file is not a JSON object");

        var model = root["model"] as JsonObject ?? throw Invalid(tokenizerJsonPath, "\"model\" is missing");
        var modelType = (string?)model["type"] ?? (model["merges"] is not null ? "BPE" : "(missing)");
        if (modelType != "BPE")
        {
            throw new NotSupportedException($"{tokenizerJsonPath}: model type '{modelType}' is not supported; only BPE tokenizer.json files are (byte-level or SentencePiece-style).");
        }
        var vocab = (model["vocab"] as JsonObject ?? throw Invalid(tokenizerJsonPath, "\"model.vocab\" is missing"))
            .ToDictionary(kv => kv.Key, kv => (int)kv.Value!, StringComparer.Ordinal);
        var merges = (model["merges"] as JsonArray ?? []).Select(m => ParseMerge(m, tokenizerJsonPath)).ToList();
        var added = (root["added_tokens"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var addedTokens = added.ToDictionary(t => (string)t["content"]!, t => (int)t["id"]!, StringComparer.Ordinal);
        var specialIds = added.Where(t => (bool?)t["special"] ?? false).Select(t => (int)t["id"]!).ToHashSet();

        int? Id(string? token) => token is null ? null : addedTokens.TryGetValue(token, out var a) ? a : vocab.TryGetValue(token, out var v) ? v : null;
        var bosId = Id(TokenText(config["bos_token"])) ?? BosCandidates.Select(Id).FirstOrDefault(id => id is not null);
        var eosId = Id(TokenText(config["eos_token"])) ?? EosCandidates.Select(Id).FirstOrDefault(id => id is not null);
        var addBos = (bool?)config["add_bos_token"] ?? PostProcessorAddsBos(root["post_processor"], bosId, Id);
        var hash = TokenizerHash.Compute("hf-tokenizer.json/v1", jsonBytes, configBytes);

        var preTokenizer = root["pre_tokenizer"] as JsonObject;
        var normalizer = root["normalizer"] as JsonObject;
        var (tokenizer, format) = ByteLevelPattern(preTokenizer, tokenizerJsonPath) is { } pattern
            ? (CreateByteLevel(normalizer, tokenizerJsonPath, vocab, merges, pattern, addedTokens, specialIds, bosId, eosId, hash), "hf-byte-level-bpe")
            : (CreateSentencePiece(model, normalizer, preTokenizer, tokenizerJsonPath, vocab, merges, addedTokens, specialIds, bosId, eosId, hash), "hf-sentencepiece-bpe");
        return new LoadedTokenizer(tokenizer, new SpecialTokenRules(AddBos: addBos && bosId is not null, AddEos: eosId is not null), ChatTemplate(config), format);
    }

    private static ITokenizer CreateByteLevel(
        JsonObject? normalizer, string path, Dictionary<string, int> vocab, List<(string Left, string Right)> merges, string pattern,
        Dictionary<string, int> addedTokens, HashSet<int> specialIds, int? bosId, int? eosId, string hash)
    {
        if (normalizer is not null)
        {
            throw new NotSupportedException(
                $"{path}: normalizer '{normalizer["type"]}' with a byte-level BPE is not supported (only none; NFC is not available " +
                "because the build runs with InvariantGlobalization, whose string.Normalize does not compose).");
        }
        return new ByteLevelBpeTokenizer(vocab, [.. merges.Select(m => $"{m.Left} {m.Right}")], pattern, addedTokens, specialIds, bosId, eosId, hash);
    }

    private static ITokenizer CreateSentencePiece(
        JsonObject model, JsonObject? normalizer, JsonObject? preTokenizer, string path, Dictionary<string, int> vocab,
        List<(string Left, string Right)> merges, Dictionary<string, int> addedTokens, HashSet<int> specialIds,
        int? bosId, int? eosId, string hash)
    {
        var rules = (normalizer, preTokenizer) switch
        {
            ({ } n, null) when IsPrependReplaceNormalizer(n) => new MetaspaceRules(MetaspacePrepend.EverySegment, PrependOnlyWithoutLeadingSpace: false, SplitWords: false),
            (null, { } p) when (string?)p["type"] == "Metaspace" => MetaspaceFrom(p, path),
            _ => throw new NotSupportedException(
                $"{path}: normalizer '{normalizer?["type"]?.ToString() ?? "none"}' with pre_tokenizer '{preTokenizer?["type"]?.ToString() ?? "none"}' is not supported; " +
                "supported are a ByteLevel pre-tokenizer (optionally after a Split regex), a Prepend('▁')+Replace(' ', '▁') normalizer, or a Metaspace pre-tokenizer."),
        };
        var unkId = (string?)model["unk_token"] is { } unk && vocab.TryGetValue(unk, out var u) ? u : (int?)null;
        return new MergeRankBpeTokenizer(
            vocab, merges, addedTokens, specialIds, rules, unkId,
            fuseUnk: (bool?)model["fuse_unk"] ?? false, byteFallback: (bool?)model["byte_fallback"] ?? false, bosId, eosId, hash);
    }

    // Null when the pre-tokenizer is not byte-level; otherwise the regex that splits text before byte mapping.
    private static string? ByteLevelPattern(JsonObject? preTokenizer, string path)
    {
        if (preTokenizer is null)
        {
            return null;
        }
        var steps = (string?)preTokenizer["type"] == "Sequence"
            ? [.. (preTokenizer["pretokenizers"] as JsonArray ?? []).OfType<JsonObject>()]
            : new List<JsonObject> { preTokenizer };
        if (steps.Count == 0 || (string?)steps[^1]["type"] != "ByteLevel")
        {
            return null;
        }
        var byteLevel = steps[^1];
        if ((bool?)byteLevel["add_prefix_space"] == true)
        {
            throw new NotSupportedException($"{path}: a ByteLevel pre-tokenizer with add_prefix_space: true is not supported.");
        }
        var useRegex = (bool?)byteLevel["use_regex"] ?? true;
        return steps.Count switch
        {
            1 when useRegex => Gpt2SplitPattern,
            2 when !useRegex && IsIsolatedRegexSplit(steps[0]) => (string)steps[0]["pattern"]!["Regex"]!,
            _ => throw new NotSupportedException(
                $"{path}: byte-level pre-tokenizer sequence [{string.Join(", ", steps.Select(s => s["type"]))}] is not supported; " +
                "supported are ByteLevel(use_regex: true) alone or Split(Regex, Isolated) then ByteLevel(use_regex: false)."),
        };
    }

    private static bool IsIsolatedRegexSplit(JsonObject step) =>
        (string?)step["type"] == "Split" && step["pattern"]?["Regex"] is not null
        && (string?)step["behavior"] == "Isolated" && !((bool?)step["invert"] ?? false);

    private static bool IsPrependReplaceNormalizer(JsonObject normalizer)
    {
        var steps = (string?)normalizer["type"] == "Sequence" ? [.. (normalizer["normalizers"] as JsonArray ?? []).OfType<JsonObject>()] : new List<JsonObject> { normalizer };
        var hasPrepend = steps.Any(s => (string?)s["type"] == "Prepend" && (string?)s["prepend"] == "\u2581");
        var hasReplace = steps.Any(s => (string?)s["type"] == "Replace" && (string?)s["pattern"]?["String"] == " " && (string?)s["content"] == "\u2581");
        return hasPrepend && hasReplace && steps.Count == 2;
    }

    private static MetaspaceRules MetaspaceFrom(JsonObject metaspace, string path)
    {
        if (((string?)metaspace["replacement"] ?? "\u2581") != "\u2581")
        {
            throw new NotSupportedException($"{path}: Metaspace replacement '{metaspace["replacement"]}' is not supported (only U+2581).");
        }
        var scheme = (string?)metaspace["prepend_scheme"] ?? ((bool?)metaspace["add_prefix_space"] ?? true ? "always" : "never");
        var prepend = scheme switch
        {
            "always" => MetaspacePrepend.EverySegment,
            "first" => MetaspacePrepend.FirstSegment,
            "never" => MetaspacePrepend.Never,
            _ => throw new NotSupportedException($"{path}: Metaspace prepend_scheme '{scheme}' is not supported (always, first, never)."),
        };
        return new MetaspaceRules(prepend, PrependOnlyWithoutLeadingSpace: true, SplitWords: (bool?)metaspace["split"] ?? true);
    }

    private static (string Left, string Right) ParseMerge(JsonNode? merge, string path) => merge switch
    {
        JsonArray { Count: 2 } pair => ((string)pair[0]!, (string)pair[1]!),
        JsonValue value when ((string)value!).Split(' ') is [var left, var right] => (left, right),
        _ => throw Invalid(path, $"merge {merge?.ToJsonString()} is neither \"left right\" nor [left, right]"),
    };

    private static bool PostProcessorAddsBos(JsonNode? postProcessor, int? bosId, Func<string?, int?> id)
    {
        var processors = (string?)postProcessor?["type"] == "Sequence" ? [.. (postProcessor["processors"] as JsonArray ?? [])] : new List<JsonNode?> { postProcessor };
        return processors.Any(p => (string?)p?["type"] == "TemplateProcessing"
            && p["single"] is JsonArray { Count: > 0 } single
            && single[0]?["SpecialToken"] is { } special
            && bosId is not null && id((string?)special["id"]) == bosId);
    }

    private static string? TokenText(JsonNode? token) => token switch
    {
        JsonValue value => (string?)value,
        JsonObject obj => (string?)obj["content"],
        _ => null,
    };

    // chat_template is a string, or a list of {name, template} where "default" is the one to use.
    private static string? ChatTemplate(JsonObject config) => config["chat_template"] switch
    {
        JsonValue value => (string?)value,
        JsonArray named => named.OfType<JsonObject>().FirstOrDefault(t => (string?)t["name"] == "default")?["template"]?.GetValue<string>(),
        _ => null,
    };

    private static InvalidDataException Invalid(string path, string problem) => new($"{path}: {problem}.");
}
