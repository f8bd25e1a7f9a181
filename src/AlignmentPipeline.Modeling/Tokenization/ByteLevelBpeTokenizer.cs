using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace AlignmentPipeline.Modeling.Tokenization;

/// <summary>
/// GPT-2 style byte-level BPE (GPT-2, Llama-3, Qwen2 tokenizer.json) on top of Microsoft.ML.Tokenizers'
/// <see cref="BpeTokenizer"/>: a regex splits the text, each chunk's UTF-8 bytes map to printable characters
/// ('Ġ' for space) and merges apply by rank. Added tokens are matched in the text first; special ones are skipped
/// when decoding.
/// </summary>
internal sealed class ByteLevelBpeTokenizer : ITokenizer
{
    private readonly BpeTokenizer _bpe;
    private readonly HashSet<int> _specialIds;
    private readonly Dictionary<int, string> _pieces;

    /// <param name="vocab">Byte-level pieces and ids (model.vocab).</param>
    /// <param name="merges">Merges in rank order as "left right".</param>
    /// <param name="splitPattern">The pre-tokenizer regex (GPT-2's unless a Split pre-tokenizer gives another).</param>
    /// <param name="addedTokens">Added tokens (content → id) matched in the text before the regex.</param>
    /// <param name="specialIds">Added tokens marked special: skipped when decoding.</param>
    public ByteLevelBpeTokenizer(
        IReadOnlyDictionary<string, int> vocab,
        IReadOnlyList<string> merges,
        string splitPattern,
        IReadOnlyDictionary<string, int> addedTokens,
        IReadOnlySet<int> specialIds,
        int? bosId,
        int? eosId,
        string contentHash)
    {
        var added = new Dictionary<string, int>(addedTokens);
        _bpe = BpeTokenizer.Create(new BpeOptions(vocab)
        {
            Merges = merges,
            ByteLevel = true,
            SpecialTokens = added,
            PreTokenizer = new RegexPreTokenizer(new Regex(splitPattern, RegexOptions.Compiled), added),
        });
        _specialIds = [.. specialIds];
        _pieces = vocab.Concat(addedTokens).GroupBy(kv => kv.Value).ToDictionary(g => g.Key, g => g.Last().Key);
        VocabSize = vocab.Values.Concat(addedTokens.Values).Max() + 1;
        BosId = bosId;
        EosId = eosId;
        ContentHash = contentHash;
    }

    public int VocabSize { get; }

    public int? BosId { get; }

    public int? EosId { get; }

    public string ContentHash { get; }

    public IReadOnlyList<int> Encode(string text) => _bpe.EncodeToIds(text);

    public string Decode(IReadOnlyList<int> ids)
    {
        foreach (var id in ids.Where(id => id < 0 || id >= VocabSize))
        {
            throw new ArgumentOutOfRangeException(nameof(ids), $"token id {id} is outside the vocabulary of {VocabSize}.");
        }
        return _bpe.Decode(ids.Where(id => !_specialIds.Contains(id)), considerSpecialTokens: true);
    }

    public string Piece(int id) => _pieces.GetValueOrDefault(id) ?? throw new ArgumentOutOfRangeException(nameof(id), $"token id {id} has no piece.");
}
