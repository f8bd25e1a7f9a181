using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Models;
using static TorchSharp.torch;

namespace AlignmentPipeline.Modeling.Tests;

/// <summary>Small models with every parameter drawn from a seeded normal distribution.</summary>
internal static class TestModels
{
    public static LlamaConfig Llama(int vocab = 37, int dim = 32, int heads = 4, int kvHeads = 2) => new()
    {
        VocabSize = vocab,
        HiddenSize = dim,
        IntermediateSize = 3 * dim - 7,
        NumLayers = 2,
        NumHeads = heads,
        NumKvHeads = kvHeads,
        MaxSequenceLength = 64,
    };

    public static Gpt2Config Gpt2(string activation = "gelu_new") => new()
    {
        VocabSize = 41,
        HiddenSize = 24,
        NumLayers = 2,
        NumHeads = 3,
        MaxSequenceLength = 64,
        Activation = activation,
    };

    /// <summary>A model whose parameters are N(0, 0.3²), norm scales N(1, 0.3²).</summary>
    public static T Randomized<T>(T model, long seed)
        where T : ICausalLanguageModel
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var generator = new Generator((ulong)seed, CPU);
        foreach (var (name, parameter) in model.NamedParameters())
        {
            var isScale = name.Contains("norm.weight") || name.Contains("ln_") && name.EndsWith(".weight");
            parameter.copy_(randn(parameter.shape, generator: generator) * 0.3f + (isScale ? 1f : 0f));
        }

        return model;
    }

    /// <summary>Every parameter as float32 host values by Hugging Face name.</summary>
    public static Dictionary<string, float[]> Weights(ICausalLanguageModel model) =>
        model.NamedParameters().ToDictionary(p => p.Name, p => WeightAssigner.ToHost(p.Parameter).Values);

    /// <summary>Logits (T, V) of one unpadded sequence as doubles.</summary>
    public static double[][] Logits(ICausalLanguageModel model, IReadOnlyList<int> tokens)
    {
        using var scope = NewDisposeScope();
        using var noGrad = inference_mode();
        var logits = model.Forward(tensor(tokens.Select(t => (long)t).ToArray(), [1, tokens.Count])).squeeze(0); // (T, V)
        return ToRows(logits);
    }

    public static double[][] ToRows(Tensor matrix)
    {
        var values = matrix.to(float64).contiguous().data<double>().ToArray();
        var width = (int)matrix.shape[1];
        return Enumerable.Range(0, (int)matrix.shape[0]).Select(r => values.AsSpan(r * width, width).ToArray()).ToArray();
    }

    public static double MaxAbsDiff(double[][] a, double[][] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b).Max(rows => rows.First.Zip(rows.Second).Max(p => Math.Abs(p.First - p.Second)));
    }

    public static int[] RandomTokens(int count, int vocab, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => random.Next(vocab)).ToArray();
    }
}
