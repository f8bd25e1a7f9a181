using AlignmentPipeline.TestSupport;
using AlignmentPipeline.Modeling.Tokenization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AlignmentPipeline.Modeling.Tests.Tokenization;

/// <summary>
/// Properties of the stories260K tokenizer. SentencePiece prepends a dummy space to non-empty text, so the exact
/// round trip is decode(BOS + encode(s)) == s (run.c drops the first piece's space after BOS), while
/// decode(encode(s)) == " " + s.
/// </summary>
public sealed class Tok512PropertyTests
{
    // FsCheck calls a property method once per case: load once per class.
    private static readonly Lazy<ITokenizer> Tok512 = new(() => Llama2cTokenizer.Load(SharedData.RequireFile("models/stories260K/tok512.bin")));
    private static readonly Lazy<RunCReferenceEncoder> Reference = new(() => new RunCReferenceEncoder(SharedData.RequireFile("models/stories260K/tok512.bin")));

    private static IReadOnlyList<string> SingleCharacterPieces(ITokenizer tokenizer) =>
        [.. Enumerable.Range(0, tokenizer.VocabSize).Select(tokenizer.Piece).Where(p => p.EnumerateRunes().Count() == 1).Distinct()];

    [Fact] // a [Fact] running the property, so a missing data file skips instead of failing inside FsCheck
    public void Decode_after_bos_of_encode_returns_strings_of_the_vocabulary_alphabet()
    {
        var tokenizer = Tok512.Value;
        CheckProperty(300, Prop.ForAll(TextGenerators.Over(SingleCharacterPieces(tokenizer)), text =>
            tokenizer.Decode([1, .. tokenizer.Encode(text)]) == text
            && tokenizer.Decode(tokenizer.Encode(text)) == (text.Length == 0 ? "" : " " + text)));
    }

    [Fact] // a [Fact] running the property, so a missing data file skips instead of failing inside FsCheck
    public void Decode_after_bos_of_encode_returns_any_unicode_string_through_byte_fallback()
    {
        var tokenizer = Tok512.Value;
        CheckProperty(300, Prop.ForAll(TextGenerators.ValidUnicode(), text => tokenizer.Decode([1, .. tokenizer.Encode(text), 2]) == text));
    }

    [Fact] // a [Fact] running the property, so a missing data file skips instead of failing inside FsCheck
    public void Heap_merging_gives_the_same_ids_as_the_literal_run_c_loop()
    {
        var tokenizer = Tok512.Value;
        var reference = Reference.Value;
        var alphabet = SingleCharacterPieces(tokenizer).Concat([" ", " ", "e", "a", "é", "☃"]).ToArray();
        CheckProperty(300, Prop.ForAll(TextGenerators.Over(alphabet), text => tokenizer.Encode(text).SequenceEqual(reference.Encode(text))));
    }

    private static void CheckProperty(int maxTest, Property property) =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(maxTest), property);
}
