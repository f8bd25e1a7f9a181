namespace AlignmentPipeline.Modeling.Tokenization;

/// <summary>
/// The tokenizer embedded in a GGUF file's metadata: <c>tokenizer.ggml.model</c>, <c>.tokens</c>, <c>.scores</c>,
/// <c>.token_type</c>, <c>.bos_token_id</c>, <c>.eos_token_id</c>, <c>.unknown_token_id</c>. A GGUF reader fills it;
/// <see cref="GgufTokenizer.Create"/> turns it into a tokenizer.
/// </summary>
/// <param name="Model">Value of <c>tokenizer.ggml.model</c>; only "llama" (SentencePiece BPE) is supported.</param>
/// <param name="Tokens">Pieces by id; U+2581 marks a space.</param>
/// <param name="Scores">Merge score per piece.</param>
/// <param name="TokenTypes">GGUF token type per piece: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte.</param>
/// <param name="BosId">BOS id, or null when the metadata has none.</param>
/// <param name="EosId">EOS id, or null when the metadata has none.</param>
/// <param name="UnkId">Unknown-token id, or null when the metadata has none.</param>
public sealed record GgufVocabulary(
    string Model,
    IReadOnlyList<string> Tokens,
    IReadOnlyList<float> Scores,
    IReadOnlyList<int> TokenTypes,
    int? BosId,
    int? EosId,
    int? UnkId);
