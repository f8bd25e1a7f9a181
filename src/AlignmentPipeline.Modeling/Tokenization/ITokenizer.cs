namespace AlignmentPipeline.Modeling.Tokenization;

/// <summary>
/// Text ↔ token ids for one vocabulary. Encoding never adds BOS/EOS by itself: callers decide with
/// <see cref="SpecialTokenRules"/>, so the rule is explicit and never applied twice.
/// </summary>
public interface ITokenizer
{
    /// <summary>Number of ids the model's embedding must cover.</summary>
    int VocabSize { get; }

    /// <summary>Beginning-of-sequence id, or null when the vocabulary has none.</summary>
    int? BosId { get; }

    /// <summary>End-of-sequence id, or null when the vocabulary has none.</summary>
    int? EosId { get; }

    /// <summary>
    /// Encodes text without adding special tokens. Hugging Face tokenizers match the literal text of their added
    /// tokens (e.g. "&lt;|im_end|&gt;" in a rendered chat template) as Hugging Face does; llama2.c, GGUF and byte
    /// tokenizers treat all text as text. SentencePiece-style tokenizers prepend a space to non-empty text.
    /// </summary>
    IReadOnlyList<int> Encode(string text);

    /// <summary>
    /// Decodes ids to text; special tokens are skipped. SentencePiece-style tokenizers drop a leading space only right
    /// after BOS (as llama2.c run.c does), so decoding completion ids alone keeps the space that joins them to the prompt.
    /// </summary>
    string Decode(IReadOnlyList<int> ids);

    /// <summary>The vocabulary entry of one id as the tokenizer stores it (for display and logprob reports).</summary>
    string Piece(int id);

    /// <summary>A content hash of everything that determines this tokenizer's output (files and rules).</summary>
    string ContentHash { get; }
}
