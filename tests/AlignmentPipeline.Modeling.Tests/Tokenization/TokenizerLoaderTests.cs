using AlignmentPipeline.TestSupport;
using AlignmentPipeline.Modeling.Tokenization;

namespace AlignmentPipeline.Modeling.Tests.Tokenization;

public sealed class TokenizerLoaderTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("tok-loader-tests-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void A_model_directory_with_tokenizer_json_uses_its_tokenizer_config()
    {
        File.WriteAllText(Path.Combine(_dir.FullName, "tokenizer.json"), HfTokenizerFixtures.SentencePieceLlama());
        File.WriteAllText(Path.Combine(_dir.FullName, "tokenizer_config.json"), """{"add_bos_token": false, "chat_template": "{{ eos_token }}"}""");

        var loaded = TokenizerLoader.Load(_dir.FullName);

        Assert.Equal("hf-sentencepiece-bpe", loaded.Format);
        Assert.False(loaded.DefaultRules.AddBos);
        Assert.Equal("{{ eos_token }}", loaded.ChatTemplate);
    }

    [Fact]
    public void A_directory_with_a_byte_tokenizer_file_loads_the_byte_tokenizer()
    {
        new ByteTokenizer().Save(Path.Combine(_dir.FullName, ByteTokenizer.FileName));

        var loaded = TokenizerLoader.Load(_dir.FullName);

        Assert.Equal(("byte", 259), (loaded.Format, loaded.Tokenizer.VocabSize));
    }

    [Fact]
    public void A_llama2c_bin_and_the_gguf_of_the_same_model_load_to_the_same_ids()
    {
        var bin = TokenizerLoader.Load(SharedData.RequireFile("models/stories260K/tok512.bin"));
        var gguf = TokenizerLoader.Load(SharedData.RequireFile("models/stories260K/stories260K.gguf"), GgufMetadataForTests.Read);

        Assert.Equal(("llama2c", "gguf"), (bin.Format, gguf.Format));
        Assert.Equal(bin.Tokenizer.Encode("Once upon a time, Lily"), gguf.Tokenizer.Encode("Once upon a time, Lily"));
        Assert.True(gguf.DefaultRules.AddBos);
        Assert.NotEqual(bin.Tokenizer.ContentHash, gguf.Tokenizer.ContentHash);
    }

    [Fact]
    public void An_empty_directory_names_the_files_it_looked_for()
    {
        var error = Assert.Throws<FileNotFoundException>(() => TokenizerLoader.Load(_dir.FullName));

        Assert.Contains("tokenizer.json, byte_tokenizer.json and tokenizer.bin", error.Message);
    }

    [Fact]
    public void A_gguf_without_a_metadata_reader_says_what_to_pass()
    {
        var path = Path.Combine(_dir.FullName, "model.gguf");
        File.WriteAllBytes(path, [0x47, 0x47, 0x55, 0x46]);

        var error = Assert.Throws<ArgumentNullException>(() => TokenizerLoader.Load(path));
        Assert.Contains("GgufFile.Read(p).Metadata", error.Message);
    }
}
