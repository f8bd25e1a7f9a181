using System.Text.Json.Nodes;

namespace AlignmentPipeline.Modeling.Tests.Tokenization;

/// <summary>
/// Small Hugging Face tokenizer.json files built by the tests: a GPT-2 style byte-level BPE, a Llama-3 style one
/// (Split regex + ByteLevel) and a Llama/SentencePiece style BPE with byte fallback. The expected ids in the tests were
/// computed once with the Hugging Face <c>tokenizers</c> library (npm package 0.23.2) on these exact files.
/// </summary>
internal static class HfTokenizerFixtures
{
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    public const string Llama3Pattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private static readonly string[] ByteLevelMerges =
    [
        "Ġ t", "h e", "Ġt he", "Ġ a", "i n", "Ġ s", "e r", "o n", "Ġ w", "a n", "Ġa nd", "n d", "Ġ b", "e d", "Ġ h",
        "l l", "Ġ c", "o r", "Ġ o", "Ġo n", "Ġ i", "Ġi n", "Ġ Ã", "Ġ l", "r e", "Ġ 1", "Ġ1 2", "1 2", "3 4", "' s",
    ];

    private static readonly string[] SentencePieceMerges =
    [
        "▁ t", "h e", "▁t he", "▁ a", "i n", "▁ s", "e r", "o n", "▁ w", "a n", "▁a nd", "n d", "▁ b", "e d", "▁ h",
        "l l", "▁ c", "o r", "▁ o", "▁o n", "▁ i", "▁i n", "▁ ▁", "▁▁ ▁▁", "r e", "h ello", "e l", "el lo", "l o", "▁h ello",
    ];

    /// <summary>GPT-2's byte → printable character table (bytes_to_unicode).</summary>
    public static char ByteToChar(int b)
    {
        static bool Printable(int x) => x is >= '!' and <= '~' or >= '¡' and <= '¬' or >= '®' and <= 'ÿ';
        if (Printable(b))
        {
            return (char)b;
        }
        var shifted = Enumerable.Range(0, b).Count(x => !Printable(x));
        return (char)(256 + shifted);
    }

    public static string Gpt2ByteLevel() => ByteLevel(new JsonObject
    {
        ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true,
    }, endOfText: "<|endoftext|>");

    public static string Llama3ByteLevel() => ByteLevel(new JsonObject
    {
        ["type"] = "Sequence",
        ["pretokenizers"] = new JsonArray(
            new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = Llama3Pattern }, ["behavior"] = "Isolated", ["invert"] = false },
            new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = false }),
    }, endOfText: "<|end_of_text|>", extraSpecial: ["<|begin_of_text|>", "<|eot_id|>"]);

    private static string ByteLevel(JsonObject preTokenizer, string endOfText, params string[] extraSpecial)
    {
        var vocab = new JsonObject();
        for (var b = 0; b < 256; b++)
        {
            vocab[ByteToChar(b).ToString()] = b;
        }
        foreach (var merge in ByteLevelMerges)
        {
            var merged = merge.Replace(" ", "");
            if (!vocab.ContainsKey(merged))
            {
                vocab[merged] = vocab.Count;
            }
        }
        var added = new JsonArray();
        foreach (var special in new[] { endOfText }.Concat(extraSpecial))
        {
            var id = vocab.Count;
            vocab[special] = id;
            added.Add(AddedToken(id, special));
        }
        return Document(added, normalizer: null, preTokenizer, new JsonObject
        {
            ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null,
            ["end_of_word_suffix"] = null, ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = false,
            ["vocab"] = vocab, ["merges"] = new JsonArray([.. ByteLevelMerges.Select(m => (JsonNode)m)]),
        }, decoder: new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true });
    }

    /// <summary>
    /// A Llama-2 style tokenizer.json: Prepend/Replace normalizer, BPE with byte fallback, no pre-tokenizer; or with
    /// <paramref name="metaspaceFirst"/> the newer form: no normalizer, Metaspace(prepend_scheme: first, split: false).
    /// </summary>
    public static string SentencePieceLlama(bool metaspaceFirst = false)
    {
        var vocab = new JsonObject { ["<unk>"] = 0, ["<s>"] = 1, ["</s>"] = 2 };
        for (var b = 0; b < 256; b++)
        {
            vocab[$"<0x{b:X2}>"] = vocab.Count;
        }
        foreach (var symbol in "▁abcdefghijklmnopqrstuvwxyzTHL.,!'".Select(c => c.ToString()))
        {
            vocab[symbol] = vocab.Count;
        }
        foreach (var merge in SentencePieceMerges)
        {
            var merged = merge.Replace(" ", "");
            if (!vocab.ContainsKey(merged))
            {
                vocab[merged] = vocab.Count;
            }
        }
        var added = new JsonArray(AddedToken(0, "<unk>"), AddedToken(1, "<s>"), AddedToken(2, "</s>"));
        var normalizer = new JsonObject
        {
            ["type"] = "Sequence",
            ["normalizers"] = new JsonArray(
                new JsonObject { ["type"] = "Prepend", ["prepend"] = "▁" },
                new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = " " }, ["content"] = "▁" }),
        };
        var decoder = new JsonObject
        {
            ["type"] = "Sequence",
            ["decoders"] = new JsonArray(
                new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = "▁" }, ["content"] = " " },
                new JsonObject { ["type"] = "ByteFallback" },
                new JsonObject { ["type"] = "Fuse" },
                new JsonObject { ["type"] = "Strip", ["content"] = " ", ["start"] = 1, ["stop"] = 0 }),
        };
        var metaspace = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "first", ["split"] = false };
        return Document(added, metaspaceFirst ? null : normalizer, metaspaceFirst ? metaspace : null, new JsonObject
        {
            ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = "<unk>", ["continuing_subword_prefix"] = null,
            ["end_of_word_suffix"] = null, ["fuse_unk"] = true, ["byte_fallback"] = true, ["ignore_merges"] = false,
            ["vocab"] = vocab, ["merges"] = new JsonArray([.. SentencePieceMerges.Select(m => (JsonNode)m)]),
        }, decoder);
    }

    private static JsonObject AddedToken(int id, string content) => new()
    {
        ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
        ["normalized"] = false, ["special"] = true,
    };

    private static string Document(JsonArray added, JsonObject? normalizer, JsonObject? preTokenizer, JsonObject model, JsonObject decoder) =>
        new JsonObject
        {
            ["version"] = "1.0", ["truncation"] = null, ["padding"] = null, ["added_tokens"] = added,
            ["normalizer"] = normalizer, ["pre_tokenizer"] = preTokenizer, ["post_processor"] = null,
            ["decoder"] = decoder, ["model"] = model,
        }.ToJsonString();
}
