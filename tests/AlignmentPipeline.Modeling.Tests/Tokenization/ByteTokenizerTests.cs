using AlignmentPipeline.Modeling.Tokenization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AlignmentPipeline.Modeling.Tests.Tokenization;

public sealed class ByteTokenizerTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("byte-tok-tests-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Property(MaxTest = 500)]
    public Property Decode_of_encode_returns_any_valid_unicode_string() =>
        Prop.ForAll(TextGenerators.ValidUnicode(), text =>
        {
            var tokenizer = new ByteTokenizer();
            return tokenizer.Decode([256, .. tokenizer.Encode(text), 257, 258]) == text;
        });

    [Fact]
    public void Ids_are_the_utf8_bytes_and_specials_follow_them()
    {
        var tokenizer = new ByteTokenizer();

        Assert.Equal(new[] { 0x68, 0xC3, 0xA9 }, tokenizer.Encode("hé"));
        Assert.Equal((259, 256, 257, 258), (tokenizer.VocabSize, tokenizer.BosId!.Value, tokenizer.EosId!.Value, tokenizer.PadId!.Value));
        Assert.Equal(["h", "<0xC3>", "<s>", "</s>", "<pad>"], new[] { 0x68, 0xC3, 256, 257, 258 }.Select(tokenizer.Piece));
    }

    [Fact]
    public void Save_then_load_keeps_the_layout_and_the_content_hash()
    {
        var path = Path.Combine(_dir.FullName, ByteTokenizer.FileName);
        var saved = new ByteTokenizer(includePad: false);
        saved.Save(path);

        var loaded = ByteTokenizer.Load(path);

        Assert.Equal((258, (int?)null, saved.ContentHash), (loaded.VocabSize, loaded.PadId, loaded.ContentHash));
        Assert.NotEqual(new ByteTokenizer(includePad: true).ContentHash, loaded.ContentHash);
    }

    [Fact]
    public void Loading_a_file_with_other_special_ids_names_the_required_layout()
    {
        var path = Path.Combine(_dir.FullName, ByteTokenizer.FileName);
        File.WriteAllText(path, """{"type": "byte", "version": 1, "bos_id": 1, "eos_id": 2, "pad_id": null}""");

        var error = Assert.Throws<InvalidDataException>(() => ByteTokenizer.Load(path));
        Assert.Contains("requires bos_id=256, eos_id=257", error.Message);
    }
}
