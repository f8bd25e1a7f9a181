using System.Globalization;
using System.Text;

namespace AlignmentPipeline.Modeling.Tokenization;

/// <summary>
/// SentencePiece-style BPE driven by piece scores, as llama2.c <c>run.c</c> and llama.cpp's SPM tokenizer encode:
/// prepend a dummy space to non-empty text, split it into code points (byte-fallback ids for code points the
/// vocabulary lacks), then repeatedly merge the adjacent pair whose concatenation is a piece with the highest score
/// (the leftmost pair on ties). Pieces store spaces as ' ' (U+2581 is converted by the loaders).
/// </summary>
/// <remarks>
/// Decoding follows run.c: BOS, EOS and control ids are skipped, a piece's leading space is dropped right after BOS,
/// <c>&lt;0xNN&gt;</c> pieces become raw bytes, and the assembled bytes are read as UTF-8. Without BOS the dummy
/// space stays, so a completion decoded alone keeps the space that separates it from its prompt.
/// </remarks>
internal sealed class SentencePieceBpeTokenizer : ITokenizer
{
    // run.c starts its best score at -1e10, so pairs scoring at or below it never merge.
    private const float NoMergeScore = -1e10f;

    private readonly string[] _pieces;
    private readonly float[] _scores;
    private readonly Dictionary<string, int> _idByPiece;
    private readonly Dictionary<(int Left, int Right), int> _mergeByPair;
    private readonly int[] _canonicalId;
    private readonly int[] _byteFallbackIds;
    private readonly int[] _byteValueById;
    private readonly bool[] _skipInDecode;
    private readonly int? _unkId;

    /// <param name="pieces">Vocabulary pieces by id, spaces as ' '.</param>
    /// <param name="scores">Merge score of each piece (higher merges first).</param>
    /// <param name="byteFallbackIds">Id of the piece for each byte value 0..255, or -1 when the vocabulary has none.</param>
    /// <param name="bosId">Beginning-of-sequence id.</param>
    /// <param name="eosId">End-of-sequence id.</param>
    /// <param name="unkId">Unknown id used for bytes without a fallback piece; null when absent.</param>
    /// <param name="controlIds">Ids skipped when decoding besides BOS and EOS.</param>
    /// <param name="contentHash">Hash of the files and rules this tokenizer was built from.</param>
    public SentencePieceBpeTokenizer(
        IReadOnlyList<string> pieces,
        IReadOnlyList<float> scores,
        IReadOnlyList<int> byteFallbackIds,
        int? bosId,
        int? eosId,
        int? unkId,
        IEnumerable<int> controlIds,
        string contentHash)
    {
        if (pieces.Count != scores.Count)
        {
            throw new ArgumentException($"{pieces.Count} pieces but {scores.Count} scores; a vocabulary needs one score per piece.");
        }
        if (byteFallbackIds.Count != 256)
        {
            throw new ArgumentException($"byteFallbackIds must have 256 entries, got {byteFallbackIds.Count}.");
        }
        _pieces = [.. pieces];
        _scores = [.. scores];
        _byteFallbackIds = [.. byteFallbackIds];
        _unkId = unkId;
        BosId = bosId;
        EosId = eosId;
        ContentHash = contentHash;

        _idByPiece = new Dictionary<string, int>(_pieces.Length, StringComparer.Ordinal);
        _byteValueById = new int[_pieces.Length];
        for (var id = 0; id < _pieces.Length; id++)
        {
            _idByPiece.TryAdd(_pieces[id], id);
            _byteValueById[id] = ParseBytePiece(_pieces[id]);
        }

        // Duplicate pieces (rare) merge like their first id, since run.c compares strings.
        _canonicalId = [.. _pieces.Select(piece => _idByPiece[piece])];

        // Every merge run.c could find: each split of a piece into two pieces. Lookups then need no string concatenation.
        _mergeByPair = [];
        for (var id = 0; id < _pieces.Length; id++)
        {
            var piece = _pieces[id];
            if (_idByPiece[piece] != id || _scores[id] <= NoMergeScore)
            {
                continue;
            }
            for (var split = 1; split < piece.Length; split++)
            {
                if (_idByPiece.TryGetValue(piece[..split], out var left) && _idByPiece.TryGetValue(piece[split..], out var right))
                {
                    _mergeByPair[(left, right)] = id;
                }
            }
        }

        _skipInDecode = new bool[_pieces.Length];
        foreach (var id in controlIds.Concat([bosId ?? -1, eosId ?? -1]).Where(id => id >= 0 && id < _pieces.Length))
        {
            _skipInDecode[id] = true;
        }
    }

    public int VocabSize => _pieces.Length;

    public int? BosId { get; }

    public int? EosId { get; }

    public string ContentHash { get; }

    public string Piece(int id) => _pieces[id];

    public IReadOnlyList<int> Encode(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }
        var ids = new List<int>(text.Length + 1);
        AppendCodePoint(" ", ids);
        foreach (var rune in text.EnumerateRunes())
        {
            AppendCodePoint(rune.ToString(), ids);
        }
        return MergeByScore(ids);
    }

    public string Decode(IReadOnlyList<int> ids)
    {
        var bytes = new List<byte>(ids.Count * 4);
        var previous = -1;
        foreach (var id in ids)
        {
            if (id < 0 || id >= _pieces.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), $"token id {id} is outside the vocabulary of {_pieces.Length}.");
            }
            if (!_skipInDecode[id])
            {
                if (_byteValueById[id] >= 0)
                {
                    bytes.Add((byte)_byteValueById[id]);
                }
                else
                {
                    var piece = _pieces[id];
                    if (previous == BosId && piece.StartsWith(' '))
                    {
                        piece = piece[1..];
                    }
                    bytes.AddRange(Encoding.UTF8.GetBytes(piece));
                }
            }
            previous = id;
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    private void AppendCodePoint(string codePoint, List<int> ids)
    {
        if (_idByPiece.TryGetValue(codePoint, out var id))
        {
            ids.Add(id);
            return;
        }
        foreach (var b in Encoding.UTF8.GetBytes(codePoint))
        {
            var fallback = _byteFallbackIds[b];
            ids.Add(fallback >= 0 ? fallback
                : _unkId ?? throw new InvalidOperationException(
                    $"'{codePoint}' is not in the vocabulary, which has neither a <0x{b:X2}> byte piece nor an unknown token."));
        }
    }

    // Same result as run.c's loop (re-scan all pairs, merge the best, repeat) in O(n log n): a heap ordered by
    // (score descending, left position ascending) with stale entries skipped when popped.
    private List<int> MergeByScore(List<int> ids)
    {
        var n = ids.Count;
        var symbol = ids.ToArray();
        var next = new int[n];
        var prev = new int[n];
        for (var i = 0; i < n; i++)
        {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        var queue = new PriorityQueue<Candidate, Candidate>(Candidate.Order);
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
            symbol[best.Left] = best.MergedId;
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
            if (_mergeByPair.TryGetValue((_canonicalId[symbol[left]], _canonicalId[symbol[right]]), out var mergedId))
            {
                var candidate = new Candidate(_scores[mergedId], left, right, symbol[left], symbol[right], mergedId);
                queue.Enqueue(candidate, candidate);
            }
        }
    }

    private static int ParseBytePiece(string piece) =>
        piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
            && byte.TryParse(piece.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            ? value
            : -1;

    private readonly record struct Candidate(float Score, int Left, int Right, int LeftId, int RightId, int MergedId)
    {
        public static readonly IComparer<Candidate> Order = Comparer<Candidate>.Create((a, b) =>
        {
            var byScore = b.Score.CompareTo(a.Score);
            return byScore != 0 ? byScore : a.Left.CompareTo(b.Left);
        });
    }
}
