using System.Runtime.CompilerServices;

namespace AlignmentPipeline.Data.Tests;

/// <summary>
/// Finds real data under <c>shared/data</c> beside an ancestor of the test's base directory or of this source file
/// (with ALIGN_ARTIFACTS the build output lives outside the checkout, where TestSupport's lookup from the base
/// directory alone finds nothing); skips the test with the reason when it is absent.
/// </summary>
internal static class SharedDataPaths
{
    public static string Require(string relativePath, [CallerFilePath] string sourceFile = "")
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "." })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "data", relativePath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        Assert.Skip($"shared/data/{relativePath} not found beside any ancestor of {AppContext.BaseDirectory} or {sourceFile}; " +
                    "it holds the real preference files described in shared/data/PROVENANCE.md.");
        return "";
    }
}
