using AlignmentPipeline.Modeling.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Tests.Lora;

/// <summary>A seeded random GPT-2 small enough for exact comparisons in milliseconds, and token batches for it.</summary>
internal static class TinyGpt2
{
    /// <summary>Covers the byte tokenizer's ids, so the model can also be trained through an sft stage.</summary>
    public const int Vocab = 260;

    public static Gpt2Config Config { get; } = new() { VocabSize = Vocab, HiddenSize = 16, NumLayers = 2, NumHeads = 4, MaxSequenceLength = 64 };

    /// <summary>d16, 2 layers, 4 heads, MLP 64, tied head; biases and LayerNorms randomised too, so none is a no-op.</summary>
    public static Gpt2Model Create(long seed = 3)
    {
        torch.manual_seed(seed);
        var model = new Gpt2Model(Config);
        using var noGrad = no_grad();
        var generator = new Generator((ulong)seed + 100);
        foreach (var (name, parameter) in model.NamedParameters().Where(p => p.Name.Contains("bias") || p.Name.Contains("ln_")))
        {
            parameter.add_(randn(parameter.shape, generator: generator) * 0.1); // (…)
        }

        return model;
    }

    /// <summary>Random token ids (B, T) from a private generator.</summary>
    public static Tensor Tokens(int batch, int length, long seed = 11) =>
        randint(0, Vocab, [batch, length], dtype: int64, generator: new Generator((ulong)seed));
}
