using System.Text;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Generation;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Modeling.Tests.Tokenization;

namespace AlignmentPipeline.Modeling.Tests;

/// <summary>llama2.c's own golden test: greedy stories260K from BOS reproduces the published text exactly.</summary>
public sealed class Stories260KGoldenTests(Stories260KGoldenTests.BinGreedy binGreedy) : IClassFixture<Stories260KGoldenTests.BinGreedy>
{
    private const int Bos = 1;

    // llama2.c doc/stories260K.md: `./run stories260K.bin -z tok512.bin -t 0.0` (256 steps, stops at BOS).
    private const string PublishedGreedyText =
        "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. She wanted to play with it, but it was too high.\n" +
        "Lily's mom said, \"Lily, let's go to the park.\" Lily was sad and didn't know what to do. She said, \"I want to play with your ball, but I can't find it.\"\n" +
        "Lily was sad and didn't know what to do. She said, \"I'm sorry, Lily. I didn't know what to do.\"\n" +
        "Lily didn't want to help her mom, so she said, \"I'm sorry, mom. I didn't know what to do.\" Her mom said, \"Don't worry, Lily. We can help you.";

    private static readonly GenerationOptions RunCGreedy = new() { MaxNewTokens = 256, StopTokens = [Bos] };

    [Fact]
    public void Greedy_generation_from_bos_reproduces_the_published_llama2c_text()
    {
        var tokenizer = SharedDataFiles.Require("models/stories260K/tok512.bin");

        Assert.Equal(256, binGreedy.Tokens.Length); // run.c samples at positions 0..255; no BOS came, so all 256 count
        Assert.Equal(PublishedGreedyText, RunCDecode(tokenizer, binGreedy.Tokens));
    }

    [Fact]
    public void Gguf_file_generates_the_same_tokens_as_the_llama2c_file()
    {
        using var gguf = ModelLoader.Load(SharedDataFiles.Require("models/stories260K/stories260K.gguf"), ModelRuntimeOptions.Cpu).Model;

        var fromGguf = TextGenerator.Generate(gguf, [[Bos]], RunCGreedy)[0];

        Assert.Equal(binGreedy.Tokens, fromGguf);
    }

    [Fact]
    public void Loaded_configs_are_the_published_stories260K_architecture()
    {
        var loaded = ModelLoader.Load(SharedDataFiles.Require("models/stories260K/stories260K.gguf"), ModelRuntimeOptions.Cpu);
        using var model = loaded.Model;

        var config = Assert.IsType<Models.LlamaModel>(model).Config;
        Assert.Equal((64, 172, 5, 8, 4, 512), (config.HiddenSize, config.IntermediateSize, config.NumLayers, config.NumHeads, config.NumKvHeads, config.VocabSize));
        Assert.True(config.TieWordEmbeddings);
        Assert.Equal(1e-5, config.RmsNormEps, 1e-9);
        Assert.Equal(260_032, model.NamedParameters().Sum(p => p.Parameter.numel()));
        Assert.Equal("270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d".Length, loaded.ContentHash.Length);
    }

    /// <summary>
    /// run.c's decode: tok512.bin holds (score, length, bytes) per id; a piece after BOS loses its leading space, and
    /// <c>&lt;0xHH&gt;</c> pieces are raw bytes.
    /// </summary>
    private static string RunCDecode(string tokenizerPath, IReadOnlyList<int> tokens)
    {
        using var reader = new BinaryReader(File.OpenRead(tokenizerPath));
        reader.ReadInt32(); // max_token_length
        var pieces = Enumerable.Range(0, 512).Select(_ =>
        {
            reader.ReadSingle(); // score
            return reader.ReadBytes(reader.ReadInt32());
        }).ToArray();

        var bytes = new List<byte>();
        var previous = Bos;
        foreach (var token in tokens)
        {
            var piece = pieces[token];
            var text = Encoding.ASCII.GetString(piece);
            if (text.Length == 6 && text.StartsWith("<0x", StringComparison.Ordinal) && text.EndsWith('>'))
            {
                bytes.Add(Convert.ToByte(text[3..5], 16));
            }
            else
            {
                bytes.AddRange(previous == Bos && piece[0] == (byte)' ' ? piece[1..] : piece);
            }

            previous = token;
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>Greedy tokens of stories260K.bin from BOS, generated once for the class.</summary>
    public sealed class BinGreedy
    {
        private readonly Lazy<int[]> tokens = new(() =>
        {
            using var model = ModelLoader.Load(SharedDataFiles.Require("models/stories260K/stories260K.bin"), ModelRuntimeOptions.Cpu).Model;
            return TextGenerator.Generate(model, [[Bos]], RunCGreedy)[0];
        });

        public int[] Tokens => tokens.Value;
    }
}
