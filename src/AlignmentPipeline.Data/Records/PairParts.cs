using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Stages;

namespace AlignmentPipeline.Data.Records;

/// <summary>
/// The pair files a data stage reads from an upstream output: its top-level parts. A split output (<c>train/</c>,
/// <c>eval/</c> … folders) has none, and reading it would silently give zero rows, so it is refused with the fix,
/// unless the reader names one of its splits (<see cref="OfSplit"/>). An output with no parts at all (the signatures of
/// <c>minhash</c>, the table of <c>near-clusters</c>) holds no pairs and is refused the same way.
/// </summary>
internal static class PairParts
{
    public static IReadOnlyList<string> Of(StageOutput output, string reader)
    {
        RequireUnsplit(output, reader);
        return output.Parts.Count > 0
            ? output.Parts
            : throw new UserErrorException(
                $"{reader}: stage '{output.StageName}' ({output.Kind}) holds no pairs (no part-*.parquet files); read a stage that writes pairs" +
                (output.Kind is "minhash" or "near-clusters" ? $", such as the near-dedup stage that reads '{output.StageName}'" : ""));
    }

    public static void RequireUnsplit(StageOutput output, string reader)
    {
        if (!output.IsSplit)
        {
            return;
        }

        throw new UserErrorException(
            $"{reader}: stage '{output.StageName}' is split into folders ({string.Join(", ", Splits(output).Select(s => s + "/"))}) and {reader} reads unsplit pairs; " +
            $"run {reader} before the split (or read the stage that feeds '{output.StageName}')");
    }

    /// <summary>
    /// The parts of split <paramref name="split"/> when <paramref name="output"/> is split into folders, else all its
    /// parts. A split the output does not have is a <see cref="UserErrorException"/> naming the ones it has and the
    /// option (<paramref name="option"/>) that chose it.
    /// </summary>
    public static IReadOnlyList<string> OfSplit(StageOutput output, string split, string reader, string option)
    {
        if (!output.IsSplit)
        {
            return output.Parts;
        }

        var splits = Splits(output);
        return splits.Contains(split, StringComparer.Ordinal)
            ? output.SplitParts(split)
            : throw new UserErrorException(
                $"{reader}: stage '{output.StageName}' has no split '{split}' (its splits: {string.Join(", ", splits)}); set '{option}' to one of them");
    }

    /// <summary>The split folders of an output, sorted (<c>eval</c>, <c>train</c> …).</summary>
    private static List<string> Splits(StageOutput output) => output.Files
        .Where(f => f.Contains("/part-", StringComparison.Ordinal) && !f.StartsWith("quarantine/", StringComparison.Ordinal))
        .Select(f => f[..f.IndexOf('/', StringComparison.Ordinal)])
        .Distinct(StringComparer.Ordinal)
        .Order(StringComparer.Ordinal)
        .ToList();
}
