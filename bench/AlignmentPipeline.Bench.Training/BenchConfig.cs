using AlignmentPipeline.Modeling.Models;

/// <summary>
/// The benchmarked shape: llama2.c's stories15M (dim 288, 6 layers, 6 heads, SwiGLU 768, vocab 32000, tied embeddings,
/// 256 positions) with random weights, trained as DPO on synthetic pairs of fixed byte length so every step forwards
/// the same tokens: prompt 150 bytes, each completion 100 bytes, plus BOS and EOS (byte tokenizer ids fit in 32000).
/// </summary>
internal static class BenchConfig
{
    public const int PromptBytes = 150;
    public const int CompletionBytes = 100;
    public const int Pairs = 64;
    public const int BatchPairs = 4;
    public const int Steps = 6;
    public const long Seed = 15;

    public static LlamaConfig Model { get; } = new()
    {
        VocabSize = 32000,
        HiddenSize = 288,
        IntermediateSize = 768,
        NumLayers = 6,
        NumHeads = 6,
        NumKvHeads = 6,
        MaxSequenceLength = 256,
        TieWordEmbeddings = true,
    };
}
