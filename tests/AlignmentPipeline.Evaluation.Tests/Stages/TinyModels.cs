using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.Tokenization;
using static TorchSharp.torch;

namespace AlignmentPipeline.Evaluation.Tests.Stages;

/// <summary>Tiny random Llama models over the byte vocabulary, saved as Hugging Face folders with a byte tokenizer.</summary>
internal static class TinyModels
{
    /// <summary>Saves a 2-layer d32 Llama whose parameters are N(0, 0.3²) (norm scales N(1, 0.3²)) drawn with <paramref name="seed"/>.</summary>
    public static string Save(string directory, int seed)
    {
        var config = new LlamaConfig
        {
            VocabSize = new ByteTokenizer().VocabSize,
            HiddenSize = 32,
            IntermediateSize = 64,
            NumLayers = 2,
            NumHeads = 4,
            NumKvHeads = 2,
            MaxSequenceLength = 256,
        };
        using var model = new LlamaModel(config);
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var generator = new Generator((ulong)seed, CPU);
            foreach (var (name, parameter) in model.NamedParameters())
            {
                parameter.copy_(randn(parameter.shape, generator: generator) * 0.3f + (name.Contains("norm.weight") ? 1f : 0f));
            }
        }

        Directory.CreateDirectory(directory);
        model.Save(directory);
        new ByteTokenizer().Save(Path.Combine(directory, ByteTokenizer.FileName));
        return directory;
    }
}
