using AlignmentPipeline.Modeling.Tokenization;
using AlignmentPipeline.TestSupport;
using AlignmentPipeline.Training.Trainers;

namespace AlignmentPipeline.Training.Tests.RewardModel;

/// <summary>A model folder a trainer publishes must carry a tokenizer the next stage (e.g. a reward_model judge) finds by folder.</summary>
public sealed class PublishedTokenizerTests
{
    [Fact]
    public void A_tokenizer_given_as_an_oddly_named_file_is_found_in_the_published_folder()
    {
        var tok512 = SharedData.RequireFile("models/stories260K/tok512.bin");
        using var temp = new TempDirectory("align-tokenizer");
        var source = TokenizerSource.Resolve(tok512, modelPath: null);
        source.WriteTo(temp.Path);

        var found = TokenizerLoader.Load(temp.Path);
        Assert.True(File.Exists(Path.Combine(temp.Path, "tokenizer.bin")));
        Assert.Equal(source.Loaded.Tokenizer.Encode("Once upon a time"), found.Tokenizer.Encode("Once upon a time"));
    }
}
