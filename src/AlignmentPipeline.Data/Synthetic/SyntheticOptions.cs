using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace AlignmentPipeline.Data.Synthetic;

/// <summary>Options of <c>kind: synthetic</c> (a demo and testing aid).</summary>
public sealed record SyntheticOptions
{
    [Description("Distinct preference pairs to generate before planting duplicates and bad rows. Default: 3000.")]
    [Range(1, 10_000_000)]
    public int Pairs { get; init; } = 3000;

    [Description("Seed of the generator; the same seed gives the same file byte for byte. Default: 0.")]
    public int Seed { get; init; }

    [Description("Fraction of rows repeated exactly (planted exact duplicates). Default: 0.03.")]
    [Range(0.0, 1.0)]
    public double Duplicates { get; init; } = 0.03;

    [Description("Fraction of rows repeated with one word changed (planted near duplicates). Default: 0.03.")]
    [Range(0.0, 1.0)]
    public double NearDuplicates { get; init; } = 0.03;

    [Description("Fraction of malformed rows (broken JSON, missing or empty fields, identical responses). Default: 0.01.")]
    [Range(0.0, 1.0)]
    public double Malformed { get; init; } = 0.01;
}
