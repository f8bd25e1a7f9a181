using System.IO.Hashing;
using System.Runtime.InteropServices;
using AlignmentPipeline.Data.Records;

namespace AlignmentPipeline.Data.Dedup;

/// <summary>
/// MinHash over n-gram shingles of normalized text by one-permutation hashing with optimal densification
/// (Li, Owen &amp; Zhang 2012, "One Permutation Hashing"; Shrivastava 2017, "Optimal Densification for Fast and Accurate
/// Minwise Hashing"). Units (words, or characters) are hashed once (words: XxHash3 of their UTF-16 code units), a
/// shingle hash combines its n unit hashes, and each shingle is hashed once more, <c>x = fmix64(shingle ^ seed)</c>:
/// the high 32 bits of x pick one of the K bins, and a bin keeps the least x that falls in it. A bin no shingle fell in
/// copies the value of the first non-empty bin on its own probe sequence (bin j's probe a is a hash of j, a and the
/// seed, the same for every text), so for two texts with Jaccard similarity s every bin agrees with probability s
/// exactly, as with K independent hash functions, at the cost of one hash per shingle instead of K.
/// A text with fewer than n units is one shingle of all of them; an empty text has no shingles and a signature of all
/// <see cref="ulong.MaxValue"/> (so empty texts are near duplicates of each other).
/// </summary>
internal sealed class MinHasher
{
    private readonly int ngram;
    private readonly ShingleUnit unit;
    private readonly int bins;
    private readonly ulong shingleSeed;
    private readonly ulong probeSeed;

    public MinHasher(int ngram, ShingleUnit unit, int functions, long seed)
    {
        this.ngram = ngram;
        this.unit = unit;
        bins = functions;
        ulong state = unchecked((ulong)seed);
        shingleSeed = SplitMix64(ref state);
        probeSeed = SplitMix64(ref state);
    }

    /// <summary>K: the signature's length (bins).</summary>
    public int Functions => bins;

    /// <summary>The distinct shingle hashes of a normalized text, sorted.</summary>
    public ulong[] Shingles(string normalized)
    {
        var units = new UnitBuffer();
        AppendUnits(normalized, units);
        var shingles = new ulong[ShingleCount(units.Count)];
        return shingles[..DistinctShingles(units.Span, shingles)];
    }

    /// <summary>
    /// The units of a pair's field text, read from the raw fields as if normalized (NFC, white space collapsed and
    /// trimmed) and joined by one space, without building the normalized string unless a field is not NFC.
    /// </summary>
    public void Units(PreferencePair pair, DedupKey field, UnitBuffer units)
    {
        units.Clear();
        AppendUnits(pair.Prompt, units);
        if (field == DedupKey.Prompt)
        {
            return;
        }

        AppendSeparator(units);
        AppendUnits(pair.Chosen, units);
        if (field == DedupKey.Pair)
        {
            AppendSeparator(units);
            AppendUnits(pair.Rejected, units);
        }
    }

    /// <summary>Shingles of <paramref name="unitCount"/> units: one per window of n, at least one when there is a unit.</summary>
    public int ShingleCount(int unitCount) => unitCount == 0 ? 0 : Math.Max(1, unitCount - ngram + 1);

    /// <summary>Writes the sorted distinct shingle hashes of <paramref name="units"/> and returns how many there are.</summary>
    public int DistinctShingles(ReadOnlySpan<ulong> units, Span<ulong> shingles)
    {
        int count = ShingleCount(units.Length);
        for (int i = 0; i < count; i++)
        {
            shingles[i] = Shingle(units, i);
        }

        var written = shingles[..count];
        written.Sort();
        int distinct = count == 0 ? 0 : 1;
        for (int i = 1; i < count; i++)
        {
            if (written[i] != written[distinct - 1])
            {
                written[distinct++] = written[i];
            }
        }

        return distinct;
    }

    /// <summary>The densified one-permutation signature of the shingles of <paramref name="units"/> (length K).</summary>
    public void Signature(ReadOnlySpan<ulong> units, Span<ulong> signature)
    {
        signature.Fill(ulong.MaxValue);
        int count = ShingleCount(units.Length);
        for (int i = 0; i < count; i++)
        {
            ulong x = Fmix64(Shingle(units, i) ^ shingleSeed);
            int bin = Bin(x);
            if (x < signature[bin])
            {
                signature[bin] = x;
            }
        }

        if (count > 0)
        {
            Densify(signature);
        }
    }

    /// <summary>|A ∩ B| / |A ∪ B| of two sorted distinct sets (1 when both are empty).</summary>
    public static double Jaccard(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        if (a.Length == 0 && b.Length == 0)
        {
            return 1;
        }

        int i = 0, j = 0, common = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j])
            {
                common++;
                i++;
                j++;
            }
            else if (a[i] < b[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return (double)common / (a.Length + b.Length - common);
    }

    /// <summary>
    /// Fills each empty bin j with the value of bin <c>probe(j, a)</c> for the least a ≥ 1 at which that bin was filled by
    /// a shingle (Shrivastava 2017, algorithm 2). Emptiness is judged on the bins as the shingles left them.
    /// </summary>
    private void Densify(Span<ulong> signature)
    {
        Span<ulong> filled = bins <= 4096 ? stackalloc ulong[(bins + 63) / 64] : new ulong[(bins + 63) / 64];
        filled.Clear();
        bool anyEmpty = false;
        for (int j = 0; j < bins; j++)
        {
            if (signature[j] != ulong.MaxValue)
            {
                filled[j >> 6] |= 1UL << j;
            }
            else
            {
                anyEmpty = true;
            }
        }

        if (!anyEmpty)
        {
            return;
        }

        for (int j = 0; j < bins; j++)
        {
            if ((filled[j >> 6] & (1UL << j)) != 0)
            {
                continue;
            }

            for (ulong attempt = 1; ; attempt++)
            {
                int source = Bin(Fmix64(probeSeed ^ ((ulong)j << 32 | attempt)));
                if ((filled[source >> 6] & (1UL << source)) != 0)
                {
                    signature[j] = signature[source];
                    break;
                }
            }
        }
    }

    private int Bin(ulong x) => (int)(((x >> 32) * (ulong)bins) >> 32);

    private ulong Shingle(ReadOnlySpan<ulong> units, int start)
    {
        ulong h = 0x9E3779B97F4A7C15UL;
        int end = Math.Min(start + ngram, units.Length);
        for (int j = start; j < end; j++)
        {
            h = unchecked((h ^ units[j]) * 0xBF58476D1CE4E5B9UL);
            h ^= h >> 31;
        }

        return h;
    }

    private void AppendSeparator(UnitBuffer units)
    {
        if (unit == ShingleUnit.Char)
        {
            units.Add(CharUnit(' '));
        }
    }

    private void AppendUnits(string text, UnitBuffer units)
    {
        var span = ContentId.Nfc(text).AsSpan();
        if (unit == ShingleUnit.Word)
        {
            int i = 0;
            while (i < span.Length)
            {
                while (i < span.Length && char.IsWhiteSpace(span[i]))
                {
                    i++;
                }

                int start = i;
                while (i < span.Length && !char.IsWhiteSpace(span[i]))
                {
                    i++;
                }

                if (i > start)
                {
                    units.Add(XxHash3.HashToUInt64(MemoryMarshal.AsBytes(span[start..i])));
                }
            }

            return;
        }

        bool pendingSpace = false, any = false;
        foreach (char c in span)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = any;
                continue;
            }

            if (pendingSpace)
            {
                units.Add(CharUnit(' '));
                pendingSpace = false;
            }

            units.Add(CharUnit(c));
            any = true;
        }
    }

    private static ulong CharUnit(char c) => Fmix64(c + 0x100000001B3UL);

    private static ulong Fmix64(ulong h)
    {
        h ^= h >> 33;
        h = unchecked(h * 0xFF51AFD7ED558CCDUL);
        h ^= h >> 33;
        h = unchecked(h * 0xC4CEB9FE1A85EC53UL);
        h ^= h >> 33;
        return h;
    }

    private static ulong SplitMix64(ref ulong state)
    {
        ulong z = state = unchecked(state + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
