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

    /// <summary>Encodes text without special tokens.</summary>
    IReadOnlyList<int> Encode(string text);

    /// <summary>Decodes ids to text; special tokens are skipped.</summary>
    string Decode(IReadOnlyList<int> ids);

    /// <summary>The vocabulary entry of one id as the tokenizer stores it (for display and logprob reports).</summary>
    string Piece(int id);

    /// <summary>A content hash of everything that determines this tokenizer's output (files and rules).</summary>
    string ContentHash { get; }
}
