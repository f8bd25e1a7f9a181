using AlignmentPipeline.Modeling.Tokenization;

namespace AlignmentPipeline.Modeling.Tests.Tokenization;

/// <summary>
/// tokenizer.json files built by <see cref="HfTokenizerFixtures"/>; every expected id list was produced by the
/// Hugging Face tokenizers library (npm tokenizers 0.23.2, encode with addSpecialTokens: false) on the same file.
/// </summary>
public sealed class HuggingFaceTokenizerTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("hf-tok-tests-");

    public void Dispose() => _dir.Delete(recursive: true);

    private LoadedTokenizer Load(string json, string? config = null)
    {
        var path = Path.Combine(_dir.FullName, $"{Guid.NewGuid():N}-tokenizer.json");
        File.WriteAllText(path, json);
        string? configPath = null;
        if (config is not null)
        {
            configPath = Path.Combine(_dir.FullName, $"{Guid.NewGuid():N}-tokenizer_config.json");
            File.WriteAllText(configPath, config);
        }
        return HuggingFaceTokenizer.Load(path, configPath);
    }

    [Theory]
    [InlineData("hello world", new[] { 257, 271, 111, 264, 273, 108, 100 })]
    [InlineData("The cat's on the bed in 1234 and I'm here!", new[] { 84, 257, 272, 97, 116, 285, 32, 263, 258, 268, 269, 32, 260, 282, 284, 266, 32, 73, 39, 109, 32, 257, 280, 33 })]
    [InlineData("  two  spaces\n\nnew line", new[] { 32, 256, 119, 111, 32, 261, 112, 97, 99, 101, 115, 10, 10, 110, 101, 119, 279, 260, 101 })]
    [InlineData("héllo 世界 ☃", new[] { 104, 195, 169, 271, 111, 32, 228, 184, 150, 231, 149, 140, 32, 226, 152, 131 })]
    [InlineData("<|endoftext|>the end<|endoftext|>", new[] { 286, 116, 257, 32, 101, 267, 286 })]
    [InlineData("<s>hello</s>", new[] { 60, 115, 62, 257, 271, 111, 60, 47, 115, 62 })]
    [InlineData("THE the", new[] { 84, 72, 69, 258 })]
    [InlineData("", new int[0])]
    [InlineData("hello    there", new[] { 257, 271, 111, 32, 32, 32, 258, 280 })]
    public void Gpt2_byte_level_bpe_encodes_like_hf_tokenizers(string text, int[] expected)
    {
        var loaded = Load(HfTokenizerFixtures.Gpt2ByteLevel());

        Assert.Equal("hf-byte-level-bpe", loaded.Format);
        Assert.Equal(expected, loaded.Tokenizer.Encode(text));
    }

    [Theory]
    [InlineData("The cat's on the bed in 1234 and I'm here!", new[] { 84, 257, 272, 97, 116, 285, 32, 263, 258, 268, 269, 32, 260, 32, 283, 51, 52, 266, 32, 73, 39, 109, 32, 257, 280, 33 })]
    [InlineData("  two  spaces\n\nnew line", new[] { 32, 256, 119, 111, 32, 261, 112, 97, 99, 101, 115, 10, 10, 110, 101, 119, 279, 260, 101 })]
    [InlineData("<|eot_id|> ok", new[] { 288, 274, 107 })]
    [InlineData("<|endoftext|>the", new[] { 60, 124, 101, 267, 111, 102, 116, 101, 120, 116, 124, 62, 116, 257 })]
    public void Llama3_split_regex_then_byte_level_encodes_like_hf_tokenizers(string text, int[] expected)
    {
        var loaded = Load(HfTokenizerFixtures.Llama3ByteLevel());

        Assert.Equal(expected, loaded.Tokenizer.Encode(text));
    }

    [Theory]
    [InlineData("hello world", new[] { 259, 294, 308, 274, 301, 310, 271, 263 })]
    [InlineData("The cat's on the bed in 1234 and I'm here!", new[] { 259, 286, 294, 309, 260, 279, 292, 278, 259, 300, 295, 305, 306, 259, 297, 259, 52, 53, 54, 55, 303, 259, 76, 292, 272, 259, 294, 317, 291 })]
    [InlineData("  two  spaces\n\nnew line", new[] { 315, 293, 282, 274, 259, 298, 275, 260, 262, 264, 278, 13, 13, 273, 264, 282, 259, 271, 297, 264 })]
    [InlineData("héllo 世界 ☃", new[] { 307, 198, 172, 308, 274, 259, 231, 187, 153, 234, 152, 143, 259, 229, 155, 134 })]
    [InlineData("<s>hello</s>", new[] { 1, 259, 294, 308, 274, 2 })]
    [InlineData("THE the", new[] { 259, 286, 287, 72, 295 })]
    [InlineData("", new int[0])]
    [InlineData("hello    there", new[] { 259, 294, 308, 274, 315, 259, 295, 317 })]
    public void Sentencepiece_style_bpe_with_byte_fallback_encodes_like_hf_tokenizers(string text, int[] expected)
    {
        var loaded = Load(HfTokenizerFixtures.SentencePieceLlama());

        Assert.Equal("hf-sentencepiece-bpe", loaded.Format);
        Assert.Equal(expected, loaded.Tokenizer.Encode(text));
    }

    [Theory]
    [InlineData("  two  spaces\n\nnew line", new[] { 259, 293, 282, 274, 259, 298, 275, 260, 262, 264, 278, 13, 13, 273, 264, 282, 259, 271, 297, 264 })]
    [InlineData("<s>hello</s>", new[] { 1, 294, 308, 274, 2 })]
    [InlineData("hello world", new[] { 259, 294, 308, 274, 301, 310, 271, 263 })]
    public void Metaspace_prepend_first_only_prefixes_the_start_of_the_text(string text, int[] expected)
    {
        var loaded = Load(HfTokenizerFixtures.SentencePieceLlama(metaspaceFirst: true));

        Assert.Equal(expected, loaded.Tokenizer.Encode(text));
    }

    [Theory]
    [InlineData("The cat's on the bed in 1234 and I'm here!")]
    [InlineData("  two  spaces\n\nnew line")]
    [InlineData("héllo 世界 ☃")]
    public void Decode_returns_the_text_and_skips_special_tokens(string text)
    {
        var gpt2 = Load(HfTokenizerFixtures.Gpt2ByteLevel()).Tokenizer;
        var llama = Load(HfTokenizerFixtures.SentencePieceLlama()).Tokenizer;

        Assert.Equal(text, gpt2.Decode([.. gpt2.Encode(text), 286]));
        Assert.Equal(text, llama.Decode([1, .. llama.Encode(text), 2]));
        Assert.Equal(" " + text, llama.Decode(llama.Encode(text)));
    }

    [Fact]
    public void Tokenizer_config_sets_bos_eos_add_bos_and_chat_template()
    {
        const string config = """
            {"bos_token": {"content": "<s>", "special": true}, "eos_token": "</s>", "add_bos_token": true,
             "chat_template": [{"name": "tool_use", "template": "x"}, {"name": "default", "template": "{{ bos_token }}"}]}
            """;
        var loaded = Load(HfTokenizerFixtures.SentencePieceLlama(), config);

        Assert.Equal((1, 2), (loaded.Tokenizer.BosId!.Value, loaded.Tokenizer.EosId!.Value));
        Assert.Equal(new SpecialTokenRules(AddBos: true, AddEos: true), loaded.DefaultRules);
        Assert.Equal("{{ bos_token }}", loaded.ChatTemplate);
    }

    [Fact]
    public void Gpt2_without_config_has_endoftext_as_eos_and_adds_no_bos()
    {
        var loaded = Load(HfTokenizerFixtures.Gpt2ByteLevel());

        Assert.Equal(286, loaded.Tokenizer.EosId);
        Assert.Null(loaded.Tokenizer.BosId);
        Assert.Equal(new SpecialTokenRules(AddBos: false, AddEos: true), loaded.DefaultRules);
        Assert.Equal("Ġthe", loaded.Tokenizer.Piece(258));
    }

    [Fact]
    public void Content_hash_covers_tokenizer_config()
    {
        var plain = Load(HfTokenizerFixtures.SentencePieceLlama());
        var configured = Load(HfTokenizerFixtures.SentencePieceLlama(), """{"add_bos_token": false}""");

        Assert.Equal(plain.Tokenizer.ContentHash, Load(HfTokenizerFixtures.SentencePieceLlama()).Tokenizer.ContentHash);
        Assert.NotEqual(plain.Tokenizer.ContentHash, configured.Tokenizer.ContentHash);
        Assert.False(configured.DefaultRules.AddBos);
    }

    [Fact]
    public void A_wordpiece_model_is_rejected_with_its_type()
    {
        var error = Assert.Throws<NotSupportedException>(() => Load("""{"model": {"type": "WordPiece", "vocab": {}}}"""));

        Assert.Contains("model type 'WordPiece' is not supported", error.Message);
    }

    [Fact]
    public void An_unknown_pre_tokenizer_is_rejected_with_its_name()
    {
        var json = HfTokenizerFixtures.SentencePieceLlama().Replace("\"pre_tokenizer\":null", "\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"}");

        var error = Assert.Throws<NotSupportedException>(() => Load(json));
        Assert.Contains("pre_tokenizer 'BertPreTokenizer' is not supported", error.Message);
    }
}
