using System.ComponentModel;
using AlignmentPipeline.Core.Configuration;

namespace AlignmentPipeline.Data.Splits;

/// <summary>Options of <c>kind: split</c>.</summary>
public sealed record SplitOptions : IValidatableOptions
{
    [Description("Split names and their fractions of the rows; they must sum to 1. Default: {train: 0.9, eval: 0.1}.")]
    public IReadOnlyDictionary<string, double> Fractions { get; init; } = new Dictionary<string, double> { ["train"] = 0.9, ["eval"] = 0.1 };

    [Description("What decides a row's split: 'prompt' (normalized prompt text, so one prompt never lands in two splits) or 'id'. Default: prompt.")]
    public SplitKey By { get; init; } = SplitKey.Prompt;

    [Description("Salt of the split hash; change it to draw a different split. Default: 0.")]
    public int Seed { get; init; }

    public IEnumerable<OptionProblem> Validate()
    {
        if (Fractions.Count == 0)
        {
            yield return new OptionProblem("fractions", "name at least one split");
        }

        foreach (var (name, fraction) in Fractions)
        {
            if (fraction is < 0 or > 1)
            {
                yield return new OptionProblem("fractions", $"'{name}' is {fraction}, outside [0, 1]");
            }

            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') || name == "quarantine")
            {
                yield return new OptionProblem("fractions", $"'{name}' is not a usable split name (letters, digits, '-', '_'; not 'quarantine')");
            }
        }

        double sum = Fractions.Values.Sum();
        if (Fractions.Count > 0 && Math.Abs(sum - 1.0) > 1e-9)
        {
            yield return new OptionProblem("fractions", $"fractions sum to {sum}, not 1");
        }
    }
}

/// <summary>What a split decision hashes.</summary>
public enum SplitKey
{
    Prompt,
    Id,
}
