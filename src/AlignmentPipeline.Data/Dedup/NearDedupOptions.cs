using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace AlignmentPipeline.Data.Dedup;

/// <summary>
/// Near dedup (<c>near:</c> of <c>kind: dedup</c>): MinHash signatures of n-gram shingles with
/// <c>bands × rows_per_band</c> hash functions; rows sharing a band are candidates, candidates are joined into
/// clusters (union-find) and each cluster keeps one row. Two rows with Jaccard similarity s become candidates with
/// probability 1 − (1 − s^rows_per_band)^bands (about 50% at s = (1/bands)^(1/rows_per_band)).
/// </summary>
public sealed record NearDedupOptions
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

    [Description("Seed of the MinHash functions. Default: 0.")]
    public long Seed { get; init; }

    [Description("Which text is compared: pair (prompt, chosen, rejected), prompt_chosen or prompt. Default: pair.")]
    public DedupKey Field { get; init; } = DedupKey.Pair;

    [Description("Shingle unit: word or char. Default: word.")]
    public ShingleUnit Unit { get; init; } = ShingleUnit.Word;

    [Description("When set, a candidate joins a cluster only if its exact shingle Jaccard similarity with the band's first row " +
                 "is at least this (removes LSH false positives; costs a scratch file of shingles). Default: none (every candidate joins).")]
    [Range(0.0, 1.0)]
    public double? JaccardCheck { get; init; }
}
