using AlignmentPipeline.TestSupport;
using AlignmentPipeline.Modeling.Tokenization;

namespace AlignmentPipeline.Modeling.Tests.Tokenization;

public sealed class GgufTokenizerTests
{
    private static readonly string[] Texts =
    [
        "Once upon a time, there was a little girl named Lily.",
        "Lily's mom said, \"Lily, let's go to the park.\"",
        "héllo 世界 ☃\n\tTabs  and   spaces",
        "",
        "12345 !?#$%^&*()[]{}~",
    ];

    [Fact]
    public void Stories260K_gguf_vocabulary_gives_the_same_ids_as_tok512()
    {
        var fromBin = Llama2cTokenizer.Load(SharedData.RequireFile("models/stories260K/tok512.bin"));
        var fromGguf = GgufTokenizer.Create(GgufVocabulary.FromMetadata(GgufMetadataForTests.Read(SharedData.RequireFile("models/stories260K/stories260K.gguf"))));

        Assert.Equal((fromBin.VocabSize, fromBin.BosId, fromBin.EosId), (fromGguf.VocabSize, fromGguf.BosId, fromGguf.EosId));
        foreach (var text in Texts)
        {
            var ids = fromGguf.Encode(text);
            Assert.Equal(fromBin.Encode(text), ids);
            Assert.Equal(text, fromGguf.Decode([1, .. ids, 2]));
        }
    }

    [Fact]
    public void Control_tokens_are_skipped_and_byte_tokens_are_found_by_type()
    {
        string[] tokens = ["<unk>", "<s>", "</s>", "<0x41>", "\u2581", "b", "\u2581b"];
        var vocabulary = new GgufVocabulary("llama", tokens, [0, 0, 0, 0, -1, -2, -3], [2, 3, 3, 6, 1, 1, 1], 1, 2, 0);
        var tokenizer = GgufTokenizer.Create(vocabulary);

        // "A" is not a piece: byte fallback to <0x41> (id 3); the space and "b" merge to "▁b" (id 6).
        Assert.Equal(new[] { 4, 3, 6 }, tokenizer.Encode("A b"));
        Assert.Equal(new[] { 6 }, tokenizer.Encode("b"));
        Assert.Equal("b", tokenizer.Decode([1, 6, 2]));
    }

    [Fact]
    public void A_non_llama_vocabulary_is_rejected_with_the_model_name()
    {
        var vocabulary = new GgufVocabulary("gpt2", ["a"], [0], [1], null, null, null);

        var error = Assert.Throws<NotSupportedException>(() => GgufTokenizer.Create(vocabulary));
        Assert.Contains("'gpt2'", error.Message);
    }
}
