using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace AlignmentPipeline.Data.Dedup;

/// <summary>
/// MinHash over n-gram shingles of normalized text. Units are hashed once (XxHash3 of their UTF-16 code units),
/// a shingle hash combines its n unit hashes, and function k of the signature is
/// <c>fmix64(shingle ^ seed_k)</c> (MurmurHash3's finalizer) with <c>seed_k</c> drawn by SplitMix64 from the seed.
/// A text with fewer than n units is one shingle of all of them; an empty text has no shingles and a signature of
/// all <see cref="ulong.MaxValue"/>.
/// </summary>
internal sealed class MinHasher
{
    private readonly int ngram;
    private readonly ShingleUnit unit;
    private readonly ulong[] seeds;

    public MinHasher(int ngram, ShingleUnit unit, int functions, long seed)
    {
        this.ngram = ngram;
        this.unit = unit;
        seeds = new ulong[functions];
        ulong state = unchecked((ulong)seed);
        for (int k = 0; k < functions; k++)
        {
            seeds[k] = SplitMix64(ref state);
        }
    }

    public int Functions => seeds.Length;

    /// <summary>The distinct shingle hashes of a normalized text, sorted.</summary>
    public ulong[] Shingles(string normalized)
    {
        var units = Units(normalized);
        if (units.Count == 0)
        {
            return [];
        }

        int count = Math.Max(1, units.Count - ngram + 1);
        var shingles = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            ulong h = 0x9E3779B97F4A7C15UL;
            for (int j = i; j < Math.Min(i + ngram, units.Count); j++)
            {
                h = unchecked((h ^ units[j]) * 0xBF58476D1CE4E5B9UL);
                h ^= h >> 31;
            }

            shingles[i] = h;
        }

        Array.Sort(shingles);
        int distinct = shingles.Length == 0 ? 0 : 1;
        for (int i = 1; i < shingles.Length; i++)
        {
            if (shingles[i] != shingles[distinct - 1])
            {
                shingles[distinct++] = shingles[i];
            }
        }

        return shingles[..distinct];
    }

    /// <summary>The signature: for each hash function, the least hash over the shingles.</summary>
    public void Signature(ReadOnlySpan<ulong> shingles, Span<ulong> signature)
    {
        signature.Fill(ulong.MaxValue);
        foreach (ulong shingle in shingles)
        {
            for (int k = 0; k < seeds.Length; k++)
            {
                ulong h = Fmix64(shingle ^ seeds[k]);
                if (h < signature[k])
                {
                    signature[k] = h;
                }
            }
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

    private List<ulong> Units(string text)
    {
        var units = new List<ulong>();
        if (unit == ShingleUnit.Char)
        {
            foreach (char c in text)
            {
                units.Add(Fmix64(c + 0x100000001B3UL));
            }

            return units;
        }

        foreach (var range in text.AsSpan().Split(' '))
        {
            var word = text.AsSpan(range);
            if (word.Length > 0)
            {
                units.Add(XxHash3.HashToUInt64(MemoryMarshal.AsBytes(word)));
            }
        }

        return units;
    }

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
