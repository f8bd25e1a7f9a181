using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using AlignmentPipeline.Data.Records;

namespace AlignmentPipeline.Data.Dedup;

/// <summary>
/// The per-row hashes of <c>kind: dedup</c> for a batch of pairs, computed on all cores: the 128-bit exact key, the
/// prompt key (with <c>max_per_prompt</c>), and for near dedup the shingles and one bucket hash per LSH band. Row r's
/// values sit at index r, so the caller spills them in input order and the result never depends on thread timing.
/// </summary>
internal sealed class PairHashBatch
{
    private readonly DedupOptions options;
    private readonly MinHasher? hasher;
    private readonly ulong[][]? shingles;

    public PairHashBatch(DedupOptions options, MinHasher? hasher, int capacity)
    {
        this.options = options;
        this.hasher = hasher;
        Capacity = capacity;
        Keys = new KeyRecord[capacity];
        Prompts = new KeyRecord[options.MaxPerPrompt is null ? 0 : capacity];
        Bands = new ulong[options.Near is { } near ? capacity * near.Bands : 0];
        shingles = options.Near?.JaccardCheck is null ? null : new ulong[capacity][];
    }

    public int Capacity { get; }

    public List<PreferencePair> Pairs { get; } = [];

    /// <summary>Exact keys (ordinal 0; the caller sets it).</summary>
    public KeyRecord[] Keys { get; }

    /// <summary>Prompt keys when <c>max_per_prompt</c> is set.</summary>
    public KeyRecord[] Prompts { get; }

    /// <summary>Band bucket hashes, row-major: row r, band b at <c>r × bands + b</c>.</summary>
    public ulong[] Bands { get; }

    /// <summary>The sorted distinct shingles of row r, kept only for the Jaccard check.</summary>
    public ReadOnlySpan<ulong> Shingles(int row) => shingles![row];

    public void Compute() => Parallel.For(0, Pairs.Count, () => new ulong[hasher?.Functions ?? 0], (r, _, signature) =>
    {
        var pair = Pairs[r];
        Keys[r] = Hash(DedupKeyText.Of(pair, options.Key));
        if (options.MaxPerPrompt is not null)
        {
            Prompts[r] = Hash(ContentId.Normalize(pair.Prompt));
        }

        if (hasher is not null && options.Near is { } near)
        {
            var rowShingles = hasher.Shingles(DedupKeyText.Of(pair, near.Field).Replace('\u0000', ' '));
            if (shingles is not null)
            {
                shingles[r] = rowShingles;
            }

            hasher.Signature(rowShingles, signature);
            for (int b = 0; b < near.Bands; b++)
            {
                Bands[r * near.Bands + b] = XxHash64.HashToUInt64(MemoryMarshal.AsBytes(signature.AsSpan(b * near.RowsPerBand, near.RowsPerBand)), b);
            }
        }

        return signature;
    }, _ => { });

    public void Clear()
    {
        Pairs.Clear();
        if (shingles is not null)
        {
            Array.Clear(shingles);
        }
    }

    private static KeyRecord Hash(string text)
    {
        var hash = XxHash128.HashToUInt128(Encoding.UTF8.GetBytes(text));
        return new KeyRecord((ulong)(hash >> 64), (ulong)hash, 0);
    }
}
