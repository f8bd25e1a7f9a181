using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace AlignmentPipeline.Data.Dedup;

/// <summary>
/// Options of <c>kind: minhash</c>, the first of the near-dedup stages: MinHash signatures of n-gram shingles with
/// K = <c>bands × rows_per_band</c> values (one-permutation hashing with densification, so each shingle is hashed once
/// whatever K is), cut into bands; rows sharing a band's values become candidates in <c>kind: near-clusters</c>.
/// Each of the K values of two rows with Jaccard similarity s agrees with probability s, so two rows become candidates
/// with probability about 1 − (1 − s^rows_per_band)^bands, which is 50% near s = (1/bands)^(1/rows_per_band)
/// (about, because the values of one signature are not fully independent: a bin no shingle fell in copies another bin).
/// </summary>
public sealed record MinHashOptions
{
    [Description("Shingle length in units. Default: 5.")]
    [Range(1, 64)]
    public int Ngram { get; init; } = 5;

    [Description("LSH bands. Default: 14.")]
    [Range(1, 512)]
    public int Bands { get; init; } = 14;

    [Description("MinHash values per band. Default: 8.")]
    [Range(1, 64)]
    public int RowsPerBand { get; init; } = 8;

    [Description("Seed of the MinHash hashing. Default: 0.")]
    public long Seed { get; init; }

    [Description("Which text is compared: pair (prompt, chosen, rejected), prompt_chosen or prompt. Default: pair.")]
    public DedupKey Field { get; init; } = DedupKey.Pair;

    [Description("Shingle unit: word or char. Default: word.")]
    public ShingleUnit Unit { get; init; } = ShingleUnit.Word;

    [Description("When set, a candidate joins a cluster only if its exact shingle Jaccard similarity with the first row of the " +
                 "band bucket is at least this (removes LSH false positives; the minhash stage then also stores each row's shingles). " +
                 "Default: none (every candidate joins).")]
    [Range(0.0, 1.0)]
    public double? JaccardCheck { get; init; }

    [Description("Hash partitions of the band buckets each task writes; near-clusters loads one partition of every task at a time, " +
                 "so its memory is about rows × bands × 16 B / partitions. Default: 32.")]
    [Range(1, 1024)]
    public int Partitions { get; init; } = 32;
}
