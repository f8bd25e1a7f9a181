using System.IO.Hashing;
using System.Runtime.InteropServices;
using AlignmentPipeline.Data.Records;

namespace AlignmentPipeline.Data.Dedup;

/// <summary>
/// The MinHash band keys (and, for the Jaccard check, the sorted distinct shingles) of a batch of pairs, computed on all
/// cores with per-thread buffers, so a row allocates nothing but its optional shingle array. Band b's key is XxHash64
/// (seed b) of the band's <c>rows_per_band</c> signature values. Row r's values sit at index r, so the caller writes
/// them in input order and the result never depends on thread timing.
/// </summary>
internal sealed class SignatureBatch
{
    private readonly MinHashOptions options;
    private readonly MinHasher hasher;
    private readonly ulong[][]? shingles;

    public SignatureBatch(MinHashOptions options, int capacity)
    {
        this.options = options;
        hasher = new MinHasher(options.Ngram, options.Unit, options.Bands * options.RowsPerBand, options.Seed);
        Capacity = capacity;
        Bands = new ulong[capacity * options.Bands];
        shingles = options.JaccardCheck is null ? null : new ulong[capacity][];
    }

    public int Capacity { get; }

    public List<PreferencePair> Pairs { get; } = [];

    /// <summary>Band keys, row-major: row r, band b at <c>r × bands + b</c>.</summary>
    public ulong[] Bands { get; }

    /// <summary>The sorted distinct shingles of row r (only with the Jaccard check).</summary>
    public ReadOnlySpan<ulong> Shingles(int row) => shingles![row];

    public void Compute() => Parallel.For(0, Pairs.Count, () => new RowState(hasher.Functions), (r, _, state) =>
    {
        hasher.Units(Pairs[r], options.Field, state.Units);
        var units = state.Units.Span;
        hasher.Signature(units, state.Signature);
        var signature = state.Signature.AsSpan();
        for (int b = 0; b < options.Bands; b++)
        {
            Bands[r * options.Bands + b] = XxHash64.HashToUInt64(MemoryMarshal.AsBytes(signature.Slice(b * options.RowsPerBand, options.RowsPerBand)), b);
        }

        if (shingles is not null)
        {
            var rowShingles = new ulong[hasher.ShingleCount(units.Length)];
            shingles[r] = rowShingles[..hasher.DistinctShingles(units, rowShingles)];
        }

        return state;
    }, _ => { });

    public void Clear()
    {
        Pairs.Clear();
        if (shingles is not null)
        {
            Array.Clear(shingles);
        }
    }

    /// <summary>One thread's reused buffers.</summary>
    private sealed class RowState(int functions)
    {
        public UnitBuffer Units { get; } = new();

        public ulong[] Signature { get; } = new ulong[functions];
    }
}
