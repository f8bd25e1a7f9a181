using AlignmentPipeline.Data.Dedup;

namespace AlignmentPipeline.Data.Tests.Dedup;

/// <summary>The densified one-permutation signature behaves like K independent MinHash functions.</summary>
public sealed class MinHasherTests
{
    [Theory]
    [InlineData(20, 10, 256)]   // 30 distinct words into 256 bins: most bins are empty and filled by densification
    [InlineData(600, 300, 128)] // 900 words into 128 bins: every bin holds several
    [InlineData(50, 0, 64)]     // identical sets
    public void Bins_agree_with_the_probability_of_the_exact_jaccard_similarity(int shared, int own, int bins)
    {
        // Word 1-gram sets A = shared ∪ a-own, B = shared ∪ b-own with distinct words, so J = shared / (shared + 2 own),
        // computed here from the sets, not from hashes. Over 40 seeds × K bins the agreeing fraction estimates J with a
        // standard error of at most sqrt(0.25 / (40 K)) ≤ 0.008 for independent bins; the tolerance is 0.03.
        string[] common = Enumerable.Range(0, shared).Select(i => $"s{i}").ToArray();
        string a = string.Join(' ', common.Concat(Enumerable.Range(0, own).Select(i => $"a{i}")));
        string b = string.Join(' ', common.Concat(Enumerable.Range(0, own).Select(i => $"b{i}")));
        var setA = a.Split(' ').ToHashSet();
        var setB = b.Split(' ').ToHashSet();
        double jaccard = (double)setA.Intersect(setB).Count() / setA.Union(setB).Count();

        long agree = 0, total = 0;
        for (int seed = 0; seed < 40; seed++)
        {
            var hasher = new MinHasher(1, ShingleUnit.Word, bins, seed);
            var signatureA = Signature(hasher, a);
            var signatureB = Signature(hasher, b);
            agree += signatureA.Zip(signatureB).Count(p => p.First == p.Second);
            total += bins;
        }

        Assert.InRange((double)agree / total, jaccard - 0.03, jaccard + 0.03);
    }

    [Fact]
    public void Densification_leaves_no_bin_empty_when_the_text_has_a_shingle()
    {
        var signature = Signature(new MinHasher(5, ShingleUnit.Word, 512, seed: 3), "just three words");

        Assert.DoesNotContain(ulong.MaxValue, signature);
        Assert.Single(signature.Distinct()); // one shingle: every bin holds it
    }

    [Fact]
    public void Units_read_from_raw_fields_equal_units_of_the_normalized_joined_text()
    {
        var hasher = new MinHasher(2, ShingleUnit.Char, 64, seed: 1);
        var pair = new AlignmentPipeline.Data.Records.PreferencePair("id", "  Cafe\u0301 \t au\n lait ", "ok", "no  way", "src", null);
        var units = new UnitBuffer();
        hasher.Units(pair, DedupKey.Pair, units);

        Assert.Equal(hasher.Shingles("Caf\u00e9 au lait ok no way"), Distinct(hasher, units));
    }

    private static ulong[] Signature(MinHasher hasher, string text)
    {
        var units = new UnitBuffer();
        var pair = new AlignmentPipeline.Data.Records.PreferencePair("id", text, "", "", "src", null);
        hasher.Units(pair, DedupKey.Prompt, units);
        var signature = new ulong[hasher.Functions];
        hasher.Signature(units.Span, signature);
        return signature;
    }

    private static ulong[] Distinct(MinHasher hasher, UnitBuffer units)
    {
        var shingles = new ulong[hasher.ShingleCount(units.Count)];
        return shingles[..hasher.DistinctShingles(units.Span, shingles)];
    }
}
