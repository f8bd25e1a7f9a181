using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Stages;

namespace AlignmentPipeline.Data.Records;

/// <summary>
/// The pair files a data stage reads from an upstream output: its top-level parts. A split output (<c>train/</c>,
/// <c>eval/</c> … folders) has none, and reading it would silently give zero rows, so it is refused with the fix.
/// </summary>
internal static class PairParts
{
    public static IReadOnlyList<string> Of(StageOutput output, string reader)
    {
        RequireUnsplit(output, reader);
        return output.Parts;
    }

    public static void RequireUnsplit(StageOutput output, string reader)
    {
        if (!output.IsSplit)
        {
            return;
        }

        var folders = output.Files
            .Where(f => f.Contains("/part-", StringComparison.Ordinal) && !f.StartsWith("quarantine/", StringComparison.Ordinal))
            .Select(f => f[..(f.IndexOf('/', StringComparison.Ordinal) + 1)])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        throw new UserErrorException(
            $"{reader}: stage '{output.StageName}' is split into folders ({string.Join(", ", folders)}) and {reader} reads unsplit pairs; " +
            $"run {reader} before the split (or read the stage that feeds '{output.StageName}')");
    }
}
