using AlignmentPipeline.Modeling.Models;

namespace AlignmentPipeline.Bench.Models;

/// <summary>The llama2.c model configs this benchmark runs (llama2.c README, "models" table).</summary>
internal static class Configs
{
    /// <summary>stories260K: dim 64, 5 layers, 8 heads, 4 KV heads, vocabulary 512, context 512, shared classifier.</summary>
    public static LlamaConfig Stories260K { get; } = new()
    {
        VocabSize = 512, HiddenSize = 64, IntermediateSize = 172, NumLayers = 5, NumHeads = 8, NumKvHeads = 4,
        MaxSequenceLength = 512, Rotation = RopeRotation.Interleaved, TieWordEmbeddings = true,
    };

    /// <summary>stories15M: dim 288, 6 layers, 6 heads, vocabulary 32000, context 256, shared classifier.</summary>
    public static LlamaConfig Stories15M { get; } = new()
    {
        VocabSize = 32000, HiddenSize = 288, IntermediateSize = 768, NumLayers = 6, NumHeads = 6, NumKvHeads = 6,
        MaxSequenceLength = 256, Rotation = RopeRotation.Interleaved, TieWordEmbeddings = true,
    };
}
