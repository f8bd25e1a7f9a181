using AlignmentPipeline.Modeling.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Tests.Lora;

/// <summary>A seeded random Llama small enough for exact comparisons in milliseconds, and token batches for it.</summary>
internal static class TinyLlama
{
    public const int Vocab = 40;

    /// <summary>d16, 2 layers, 4 query and 2 key/value heads (GQA), untied head (the assembly runs libtorch on one thread: TestThreads).</summary>
    public static LlamaModel Create(long seed = 3)
    {
        torch.manual_seed(seed);
        return new LlamaModel(new LlamaConfig
        {
            VocabSize = Vocab, HiddenSize = 16, IntermediateSize = 32, NumLayers = 2, NumHeads = 4, NumKvHeads = 2, MaxSequenceLength = 64,
        });
    }

    /// <summary>Random token ids (B, T) from a private generator.</summary>
    public static Tensor Tokens(int batch, int length, long seed = 11) =>
        randint(0, Vocab, [batch, length], dtype: int64, generator: new Generator((ulong)seed));
}
