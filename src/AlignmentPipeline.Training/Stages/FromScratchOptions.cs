using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Modeling.Models;

namespace AlignmentPipeline.Training.Stages;

/// <summary>A fresh Llama-style model (YAML <c>from_scratch:</c>), initialised from the stage's seed.</summary>
public sealed record FromScratchOptions : IValidatableOptions
{
    [Description("Hidden size (embedding width). Default: 64.")]
    [Range(8, 65536)]
    public int Dim { get; init; } = 64;

    [Description("Number of transformer blocks. Default: 2.")]
    [Range(1, 256)]
    public int NLayers { get; init; } = 2;

    [Description("Attention heads; dim must be a multiple of it and dim / n_heads even. Default: 4.")]
    [Range(1, 1024)]
    public int NHeads { get; init; } = 4;

    [Description("Key/value heads (grouped-query attention); must divide n_heads. Default: n_heads.")]
    [Range(1, 1024)]
    public int? NKvHeads { get; init; }

    [Description("Width of the SwiGLU feed-forward layer. Default: 4 × dim × 2/3 rounded up to a multiple of 8.")]
    [Range(8, 1048576)]
    public int? HiddenDim { get; init; }

    [Description("Longest sequence (prompt + completion tokens) the model accepts. Default: 256.")]
    [Range(2, 1048576)]
    public int MaxSeqLen { get; init; } = 256;

    [Description("Share the embedding and output matrices. Default: false.")]
    public bool TieEmbeddings { get; init; }

    [Description("RoPE base θ. Default: 10000.")]
    public double RopeTheta { get; init; } = 10000;

    /// <summary>The Llama config for a tokenizer with <paramref name="vocabSize"/> ids.</summary>
    public LlamaConfig ToConfig(int vocabSize) => new()
    {
        VocabSize = vocabSize,
        HiddenSize = Dim,
        IntermediateSize = HiddenDim ?? (Dim * 8 / 3 + 7) / 8 * 8,
        NumLayers = NLayers,
        NumHeads = NHeads,
        NumKvHeads = NKvHeads ?? NHeads,
        MaxSequenceLength = MaxSeqLen,
        TieWordEmbeddings = TieEmbeddings,
        RopeTheta = RopeTheta,
    };

    public IEnumerable<OptionProblem> Validate()
    {
        if (Dim % NHeads != 0 || Dim / NHeads % 2 != 0)
        {
            yield return new("dim", $"{Dim} must be a multiple of n_heads ({NHeads}) with an even head size (dim / n_heads) for RoPE");
        }

        if (NHeads % (NKvHeads ?? NHeads) != 0)
        {
            yield return new("n_kv_heads", $"{NKvHeads} must divide n_heads ({NHeads})");
        }

        if (!double.IsFinite(RopeTheta) || RopeTheta <= 1)
        {
            yield return new("rope_theta", $"must be a number > 1 (got {RopeTheta}); 10000 is usual");
        }
    }
}
