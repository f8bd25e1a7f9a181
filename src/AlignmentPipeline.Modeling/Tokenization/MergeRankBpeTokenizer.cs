using System.Globalization;
using System.Text;

namespace AlignmentPipeline.Modeling.Tokenization;

/// <summary>How a SentencePiece-style tokenizer.json marks spaces: U+2581 replaces ' ' and may be prepended.</summary>
/// <param name="Prepend">When to prepend U+2581 to a text segment (segments lie between added tokens).</param>
/// <param name="PrependOnlyWithoutLeadingSpace">Metaspace skips the prepend when the segment already starts with one; the Prepend normalizer does not.</param>
/// <param name="SplitWords">Metaspace <c>split</c>: BPE runs on each word that starts at a U+2581 separately.</param>
internal sealed record MetaspaceRules(MetaspacePrepend Prepend, bool PrependOnlyWithoutLeadingSpace, bool SplitWords);

/// <summary>Which segments get a U+2581 prepended.</summary>
internal enum MetaspacePrepend
{
    /// <summary>Every non-empty segment (Prepend normalizer, Metaspace <c>prepend_scheme: always</c>).</summary>
    EverySegment,

    /// <summary>Only a segment that starts the text (Metaspace <c>prepend_scheme: first</c>).</summary>
    FirstSegment,

    /// <summary>Never (Metaspace <c>prepend_scheme: never</c>).</summary>
    Never,
}

/// <summary>
/// Hugging Face BPE over SentencePiece-style pieces (Llama-2, Mistral, TinyLlama tokenizer.json): spaces become U+2581,
/// a U+2581 is prepended per <see cref="MetaspaceRules"/>, each code point is a piece or falls back to its
/// <c>&lt;0xNN&gt;</c> byte pieces, then the adjacent pair with the lowest merge rank (leftmost on ties) is merged
/// until no listed merge applies. Added tokens are matched in the text first.
/// </summary>
/// <remarks>Decoding drops a leading space only right after BOS, as <see cref="SentencePieceBpeTokenizer"/> does.</remarks>
internal sealed class MergeRankBpeTokenizer : ITokenizer
{
    private const char Metaspace = '\u2581';

    private readonly string[] _pieces;
    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<(int Left, int Right), (int Rank, int Merged)> _merges;
    private readonly AddedTokenSplitter _addedTokens;
    private readonly HashSet<int> _specialIds;
    private readonly int[] _byteValueById;
    private readonly MetaspaceRules _metaspace;
    private readonly int? _unkId;
    private readonly bool _fuseUnk;
    private readonly bool _byteFallback;

    public MergeRankBpeTokenizer(
        IReadOnlyDictionary<string, int> vocab,
        IReadOnlyList<(string Left, string Right)> merges,
        IReadOnlyDictionary<string, int> addedTokens,
        IReadOnlySet<int> specialIds,
        MetaspaceRules metaspace,
        int? unkId,
        bool fuseUnk,
        bool byteFallback,
        int? bosId,
        int? eosId,
        string contentHash)
    {
        _vocab = new Dictionary<string, int>(vocab, StringComparer.Ordinal);
        VocabSize = vocab.Values.Concat(addedTokens.Values).Max() + 1;
        _pieces = new string[VocabSize];
        foreach (var (piece, id) in vocab.Concat(addedTokens))
        {
            _pieces[id] = piece;
        }
        _merges = [];
        for (var rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            if (vocab.TryGetValue(left, out var leftId) && vocab.TryGetValue(right, out var rightId) && vocab.TryGetValue(left + right, out var merged))
            {
                _merges.TryAdd((leftId, rightId), (rank, merged));
            }
            else
            {
                throw new InvalidDataException($"merge {rank} \"{left} {right}\" uses a piece missing from the vocabulary.");
            }
        }
        _byteValueById = [.. _pieces.Select(ParseBytePiece)];
        _addedTokens = new AddedTokenSplitter(addedTokens);
        _specialIds = [.. specialIds];
        _metaspace = metaspace;
        _unkId = unkId;
        _fuseUnk = fuseUnk;
        _byteFallback = byteFallback;
        BosId = bosId;
        EosId = eosId;
        ContentHash = contentHash;
    }

    public int VocabSize { get; }

    public int? BosId { get; }

    public int? EosId { get; }

    public string ContentHash { get; }

    public string Piece(int id) => _pieces[id] ?? throw new ArgumentOutOfRangeException(nameof(id), $"token id {id} has no piece.");

    public IReadOnlyList<int> Encode(string text)
    {
        var ids = new List<int>();
        var atTextStart = true;
        foreach (var (segment, addedId) in _addedTokens.Split(text))
        {
            if (addedId is { } id)
            {
                ids.Add(id);
            }
            else
            {
                foreach (var word in Words(Normalize(segment, atTextStart)))
                {
                    EncodeWord(word, ids);
                }
            }
            atTextStart = false;
        }
        return ids;
    }

    public string Decode(IReadOnlyList<int> ids)
    {
        var bytes = new List<byte>(ids.Count * 4);
        var previous = -1;
        foreach (var id in ids)
        {
            if (id < 0 || id >= VocabSize || _pieces[id] is null)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), $"token id {id} is outside the vocabulary of {VocabSize}.");
            }
            if (!_specialIds.Contains(id))
            {
                if (_byteValueById[id] >= 0)
                {
                    bytes.Add((byte)_byteValueById[id]);
                }
                else
                {
                    var piece = _pieces[id].Replace(Metaspace, ' ');
                    bytes.AddRange(Encoding.UTF8.GetBytes(previous == BosId && piece.StartsWith(' ') ? piece[1..] : piece));
                }
            }
            previous = id;
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    private string Normalize(string segment, bool atTextStart)
    {
        var replaced = segment.Replace(' ', Metaspace);
        var prepend = replaced.Length > 0
            && (_metaspace.Prepend == MetaspacePrepend.EverySegment || (_metaspace.Prepend == MetaspacePrepend.FirstSegment && atTextStart))
            && !(_metaspace.PrependOnlyWithoutLeadingSpace && replaced[0] == Metaspace);
        return prepend ? Metaspace + replaced : replaced;
    }

    private IEnumerable<string> Words(string normalized)
    {
        if (!_metaspace.SplitWords)
        {
            yield return normalized;
            yield break;
        }
        var start = 0;
        for (var i = 1; i < normalized.Length; i++)
        {
            if (normalized[i] == Metaspace)
            {
                yield return normalized[start..i];
                start = i;
            }
        }
        if (start < normalized.Length)
        {
            yield return normalized[start..];
        }
    }

    private void EncodeWord(string word, List<int> output)
    {
        var symbols = new List<int>(word.Length);
        foreach (var rune in word.EnumerateRunes())
        {
            if (_vocab.TryGetValue(rune.ToString(), out var id))
            {
                symbols.Add(id);
                continue;
            }
            var utf8 = Encoding.UTF8.GetBytes(rune.ToString());
            int[] byteIds = [.. utf8.Select(b => _vocab.GetValueOrDefault($"<0x{b:X2}>", -1))];
            if (_byteFallback && byteIds.All(b => b >= 0))
            {
                symbols.AddRange(byteIds);
            }
            else if (_unkId is { } unk)
            {
                if (!(_fuseUnk && symbols.Count > 0 && symbols[^1] == unk))
                {
                    symbols.Add(unk);
                }
            }
            else
            {
                throw new InvalidOperationException($"'{rune}' is not in the vocabulary, which has no byte fallback and no unk_token.");
            }
        }
        output.AddRange(MergeByRank(symbols));
    }

    // Lowest rank first, leftmost on ties, as tokenizers' Word::merge_all; stale heap entries are skipped.
    private List<int> MergeByRank(List<int> symbols)
    {
        var n = symbols.Count;
        var symbol = symbols.ToArray();
        var next = new int[n];
        var prev = new int[n];
        for (var i = 0; i < n; i++)
        {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        var queue = new PriorityQueue<(int Left, int Right, int LeftId, int RightId, int Merged), (int Rank, int Left)>();
        for (var i = 0; i + 1 < n; i++)
        {
            TryQueue(i, i + 1);
        }
        while (queue.TryDequeue(out var best, out _))
        {
            if (symbol[best.Left] != best.LeftId || next[best.Left] != best.Right || symbol[best.Right] != best.RightId)
            {
                continue;
            }
            symbol[best.Left] = best.Merged;
            symbol[best.Right] = -1;
            next[best.Left] = next[best.Right];
            if (next[best.Left] >= 0)
            {
                prev[next[best.Left]] = best.Left;
                TryQueue(best.Left, next[best.Left]);
            }
            if (prev[best.Left] >= 0)
            {
                TryQueue(prev[best.Left], best.Left);
            }
        }
        var merged = new List<int>(n);
        for (var i = 0; i >= 0 && n > 0; i = next[i])
        {
            merged.Add(symbol[i]);
        }
        return merged;

        void TryQueue(int left, int right)
        {
            if (_merges.TryGetValue((symbol[left], symbol[right]), out var merge))
            {
                queue.Enqueue((left, right, symbol[left], symbol[right], merge.Merged), (merge.Rank, left));
            }
        }
    }

    private static int ParseBytePiece(string? piece) =>
        piece is { Length: 6 } && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
            && byte.TryParse(piece.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            ? value
            : -1;
}
