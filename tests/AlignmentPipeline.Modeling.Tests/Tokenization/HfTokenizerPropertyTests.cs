using AlignmentPipeline.Modeling.Tokenization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AlignmentPipeline.Modeling.Tests.Tokenization;

/// <summary>
/// Round trips of the tokenizer.json fixtures on any valid Unicode text. FsCheck calls a property method once per
/// case, so the tokenizers are built once per class.
/// </summary>
public sealed class HfTokenizerPropertyTests
{
    private static readonly Lazy<ITokenizer> Llama3 = new(() => Load(HfTokenizerFixtures.Llama3ByteLevel()));
    private static readonly Lazy<ITokenizer> SentencePiece = new(() => Load(HfTokenizerFixtures.SentencePieceLlama()));

    private static ITokenizer Load(string json)
    {
        var path = Path.Combine(Path.GetTempPath(), $"hf-tok-props-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        try
        {
            return HuggingFaceTokenizer.Load(path).Tokenizer;
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Property(MaxTest = 300)]
    public Property Byte_level_decode_of_encode_returns_the_text()
    {
        var tokenizer = Llama3.Value;
        return Prop.ForAll(TextGenerators.ValidUnicode(), text => tokenizer.Decode(tokenizer.Encode(text)) == text);
    }

    [Property(MaxTest = 300)]
    public Property Sentencepiece_style_decode_after_bos_returns_the_text_through_byte_fallback()
    {
        var tokenizer = SentencePiece.Value;
        return Prop.ForAll(TextGenerators.ValidUnicode(), text => tokenizer.Decode([1, .. tokenizer.Encode(text), 2]) == text);
    }

    [Property(MaxTest = 300)]
    public Property Byte_tokenizer_splits_every_pair_without_a_mismatch()
    {
        var encoder = new PromptCompletionEncoder(new ByteTokenizer(), new SpecialTokenRules());
        return Prop.ForAll(TextGenerators.ValidUnicode(), TextGenerators.ValidUnicode(), (prompt, completion) =>
        {
            var ids = encoder.Encode(prompt, completion);
            return !ids.PrefixMismatch && encoder.Tokenizer.Decode([.. ids.PromptIds, .. ids.CompletionIds]) == prompt + completion;
        });
    }
}
