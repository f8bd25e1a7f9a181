using AlignmentPipeline.TestSupport;
using AlignmentPipeline.Modeling.Tokenization;

namespace AlignmentPipeline.Modeling.Tests.Tokenization;

public sealed class Llama2cTokenizerTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("tok-tests-");

    public void Dispose() => _dir.Delete(recursive: true);

    // Expected ids come from an independent Python transcription of run.c encode() run on tok512.bin.
    [Theory]
    [InlineData("Once upon a time", new[] { 403, 407, 261, 378 })]
    [InlineData("Lily's mom said, \"Lily, let's go to the park.\"",
        new[] { 317, 439, 419, 357, 336, 432, 313, 438, 310, 432, 278, 316, 439, 419, 298, 414, 267, 265, 282, 295, 433, 426, 436 })]
    [InlineData("héllo 世界 ☃\n", new[] { 270, 485, 306, 414, 410, 231, 187, 153, 234, 152, 143, 410, 229, 155, 134, 13 })]
    [InlineData("", new int[0])]
    public void Tok512_encodes_like_run_c(string text, int[] expected)
    {
        var tokenizer = Llama2cTokenizer.Load(SharedData.RequireFile("models/stories260K/tok512.bin"));

        Assert.Equal(expected, tokenizer.Encode(text));
    }

    [Fact]
    public void Tok512_has_512_pieces_with_bos_1_and_eos_2()
    {
        var tokenizer = Llama2cTokenizer.Load(SharedData.RequireFile("models/stories260K/tok512.bin"));

        Assert.Equal((512, 1, 2), (tokenizer.VocabSize, tokenizer.BosId!.Value, tokenizer.EosId!.Value));
        Assert.Equal(" Once", tokenizer.Piece(403));
        Assert.Equal("<0x0A>", tokenizer.Piece(13));
    }

    [Fact]
    public void Tok512_agrees_with_the_literal_run_c_loop_on_the_published_story()
    {
        const string story = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. " +
            "One day, she saw a big, red ball. She wanted to play with it, but it was too high.\n" +
            "Lily's mom said, \"Lily, let's go to the park.\" Lily was sad and didn't know what to do.";
        var tokenizer = Llama2cTokenizer.Load(SharedData.RequireFile("models/stories260K/tok512.bin"));
        var reference = new RunCReferenceEncoder(SharedData.RequireFile("models/stories260K/tok512.bin"));

        Assert.Equal(reference.Encode(story), tokenizer.Encode(story));
    }

    [Fact]
    public void Decode_after_bos_strips_the_dummy_space_and_joins_byte_pieces_into_utf8()
    {
        var tokenizer = Llama2cTokenizer.Load(SharedData.RequireFile("models/stories260K/tok512.bin"));
        const string text = "héllo 世界 ☃\n";

        Assert.Equal(text, tokenizer.Decode([1, .. tokenizer.Encode(text), 2]));
        Assert.Equal(" " + text, tokenizer.Decode(tokenizer.Encode(text)));
    }

    [Fact]
    public void Decode_of_the_published_prefix_ids_gives_the_published_text()
    {
        var tokenizer = Llama2cTokenizer.Load(SharedData.RequireFile("models/stories260K/tok512.bin"));

        // BOS, " Once", " upon", " a", " time" as run.c prints them after BOS.
        Assert.Equal("Once upon a time", tokenizer.Decode([1, 403, 407, 261, 378]));
    }

    [Fact]
    public void Equal_scores_merge_the_leftmost_pair_first()
    {
        var path = TokenizerBinWriter.Write(_dir.FullName, (" ", 0), ("a", 0), ("b", 0), ("ab", 1), ("ba", 1));
        var tokenizer = Llama2cTokenizer.Load(path);
        const int space = TokenizerBinWriter.FirstPieceId, a = space + 1, ab = space + 3;

        Assert.Equal(new[] { space, ab, a }, tokenizer.Encode("aba"));
    }

    [Fact]
    public void A_higher_score_to_the_right_merges_before_a_leftmost_pair()
    {
        var path = TokenizerBinWriter.Write(_dir.FullName, (" ", 0), ("a", 0), ("b", 0), ("ab", 1), ("ba", 2));
        var tokenizer = Llama2cTokenizer.Load(path);
        const int space = TokenizerBinWriter.FirstPieceId, a = space + 1, ba = space + 4;

        Assert.Equal(new[] { space, a, ba }, tokenizer.Encode("aba"));
    }

    [Fact]
    public void Merges_chain_into_longer_pieces_including_the_dummy_space()
    {
        var path = TokenizerBinWriter.Write(_dir.FullName, (" ", 0), ("a", 0), ("b", 0), (" a", 3), (" ab", 2), ("ab", 1));
        var tokenizer = Llama2cTokenizer.Load(path);
        const int spaceAb = TokenizerBinWriter.FirstPieceId + 4;

        Assert.Equal(new[] { spaceAb }, tokenizer.Encode("ab"));
    }

    [Fact]
    public void Unknown_code_points_fall_back_to_their_utf8_bytes_plus_three()
    {
        var path = TokenizerBinWriter.Write(_dir.FullName, (" ", 0));
        var tokenizer = Llama2cTokenizer.Load(path);

        // "é" = C3 A9 → ids 0xC3+3, 0xA9+3.
        Assert.Equal(new[] { TokenizerBinWriter.FirstPieceId, 0xC3 + 3, 0xA9 + 3 }, tokenizer.Encode("é"));
        Assert.Equal("é", tokenizer.Decode([1, 0xC3 + 3, 0xA9 + 3]));
    }

    [Fact]
    public void A_truncated_file_is_reported_with_its_path_and_token_index()
    {
        var path = TokenizerBinWriter.Write(_dir.FullName, (" ", 0));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^1]);

        var error = Assert.Throws<InvalidDataException>(() => Llama2cTokenizer.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("truncated at token 259", error.Message);
    }

    [Fact]
    public void Content_hash_changes_when_a_score_changes()
    {
        var first = Llama2cTokenizer.Load(TokenizerBinWriter.Write(_dir.FullName, (" ", 0), ("ab", 1)));
        var same = Llama2cTokenizer.Load(TokenizerBinWriter.Write(_dir.FullName, (" ", 0), ("ab", 1)));
        var other = Llama2cTokenizer.Load(TokenizerBinWriter.Write(_dir.FullName, (" ", 0), ("ab", 2)));

        Assert.Equal(first.ContentHash, same.ContentHash);
        Assert.NotEqual(first.ContentHash, other.ContentHash);
        Assert.Matches("^[0-9a-f]{64}$", first.ContentHash);
    }
}
