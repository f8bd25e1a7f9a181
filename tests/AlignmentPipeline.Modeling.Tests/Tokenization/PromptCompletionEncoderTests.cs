using AlignmentPipeline.TestSupport;
using AlignmentPipeline.Modeling.Tokenization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AlignmentPipeline.Modeling.Tests.Tokenization;

public sealed class PromptCompletionEncoderTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("prompt-completion-tests-");

    public void Dispose() => _dir.Delete(recursive: true);

    private ITokenizer SentencePieceHf()
    {
        var path = Path.Combine(_dir.FullName, "tokenizer.json");
        File.WriteAllText(path, HfTokenizerFixtures.SentencePieceLlama());
        return HuggingFaceTokenizer.Load(path).Tokenizer;
    }

    [Fact]
    public void Completion_ids_are_the_tail_of_the_joint_encoding_between_bos_and_eos()
    {
        var tokenizer = Llama2cTokenizer.Load(SharedData.RequireFile("models/stories260K/tok512.bin"));
        var encoder = new PromptCompletionEncoder(tokenizer, new SpecialTokenRules());

        var ids = encoder.Encode("Once upon a time", ", there was a girl.");

        var joint = tokenizer.Encode("Once upon a time, there was a girl.");
        Assert.False(ids.PrefixMismatch);
        Assert.Equal([1, 403, 407, 261, 378], ids.PromptIds);
        Assert.Equal([.. joint.Skip(4), 2], ids.CompletionIds);
        Assert.Equal(", there was a girl.", tokenizer.Decode(ids.CompletionIds));
    }

    [Fact]
    public void A_merge_across_the_boundary_is_flagged_and_the_completion_is_encoded_alone()
    {
        var tokenizer = Llama2cTokenizer.Load(SharedData.RequireFile("models/stories260K/tok512.bin"));
        var encoder = new PromptCompletionEncoder(tokenizer, new SpecialTokenRules());

        // The prompt ends in a lone " " piece; in the joint text that space merges into " there".
        var ids = encoder.Encode("Once upon a time ", "there");

        Assert.True(ids.PrefixMismatch);
        Assert.Equal([1, .. tokenizer.Encode("Once upon a time ")], ids.PromptIds);
        Assert.Equal([.. tokenizer.Encode("there"), 2], ids.CompletionIds);
    }

    [Fact]
    public void Bos_and_eos_already_in_the_text_are_not_added_again()
    {
        var encoder = new PromptCompletionEncoder(SentencePieceHf(), new SpecialTokenRules(AddBos: true, AddEos: true));

        var ids = encoder.Encode("<s>hello", " world</s>");

        Assert.Equal(1, ids.PromptIds.Count(id => id == 1));
        Assert.Equal(1, ids.CompletionIds.Count(id => id == 2));
        Assert.Equal(1, ids.PromptIds[0]);
        Assert.Equal(2, ids.CompletionIds[^1]);
    }

    [Fact]
    public void Rules_without_bos_and_eos_add_neither()
    {
        var tokenizer = new ByteTokenizer();
        var encoder = new PromptCompletionEncoder(tokenizer, new SpecialTokenRules(AddBos: false, AddEos: false));

        var ids = encoder.Encode("ab", "c");

        Assert.Equal([97, 98], ids.PromptIds);
        Assert.Equal([99], ids.CompletionIds);
        Assert.Equal([256, 97, 98], new PromptCompletionEncoder(tokenizer, new SpecialTokenRules()).EncodePrompt("ab"));
    }

    private static readonly Lazy<ITokenizer> Tok512 = new(() => Llama2cTokenizer.Load(SharedData.RequireFile("models/stories260K/tok512.bin")));

    [Fact] // a [Fact] running the property, so a missing data file skips instead of failing inside FsCheck
    public void Without_a_mismatch_prompt_and_completion_ids_decode_to_the_joint_text()
    {
        var tokenizer = Tok512.Value;
        var encoder = new PromptCompletionEncoder(tokenizer, new SpecialTokenRules());
        var text = TextGenerators.Over(["a", "b", " ", "t", "he", ".", "é", "\n", "Lily"]);
        CheckProperty(200, Prop.ForAll(text, text, (prompt, completion) =>
        {
            var ids = encoder.Encode(prompt, completion);
            return ids.PrefixMismatch || tokenizer.Decode([.. ids.PromptIds, .. ids.CompletionIds]) == prompt + completion;
        }));
    }

    private static void CheckProperty(int maxTest, Property property) =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(maxTest), property);
}
