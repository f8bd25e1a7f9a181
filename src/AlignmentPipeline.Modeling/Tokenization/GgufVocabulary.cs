using System.Collections;

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
    int? UnkId)
{
    /// <summary>
    /// Reads the <c>tokenizer.ggml.*</c> keys from GGUF metadata (values as a GGUF reader returns them: strings, numbers,
    /// typed or object arrays), e.g. <c>GgufVocabulary.FromMetadata(GgufFile.Read(path).Metadata)</c>.
    /// </summary>
    /// <exception cref="InvalidDataException">A required key is missing or has the wrong kind of value.</exception>
    public static GgufVocabulary FromMetadata(IReadOnlyDictionary<string, object> metadata)
    {
        object Required(string key) => metadata.TryGetValue(key, out var value) ? value
            : throw new InvalidDataException($"GGUF metadata has no '{key}'; the file carries no embedded tokenizer.");
        IEnumerable<object> Array(string key) => Required(key) as IEnumerable is { } values and not string
            ? values.Cast<object>()
            : throw new InvalidDataException($"GGUF metadata '{key}' is {Required(key).GetType().Name}, expected an array.");
        int? Id(string key) => metadata.TryGetValue(key, out var value) ? Convert.ToInt32(value) : null;

        return new GgufVocabulary(
            Required("tokenizer.ggml.model") as string ?? throw new InvalidDataException("GGUF metadata 'tokenizer.ggml.model' is not a string."),
            [.. Array("tokenizer.ggml.tokens").Cast<string>()],
            metadata.ContainsKey("tokenizer.ggml.scores") ? [.. Array("tokenizer.ggml.scores").Select(Convert.ToSingle)] : [],
            metadata.ContainsKey("tokenizer.ggml.token_type") ? [.. Array("tokenizer.ggml.token_type").Select(Convert.ToInt32)] : [],
            Id("tokenizer.ggml.bos_token_id"),
            Id("tokenizer.ggml.eos_token_id"),
            Id("tokenizer.ggml.unknown_token_id"));
    }
}
