using System.Runtime.CompilerServices;

namespace AlignmentPipeline.Modeling.Tests.Tokenization;

/// <summary>
/// Finds files under <c>shared/data</c> next to an ancestor of the test's base directory or of this source file
/// (the build output may live outside the checkout when ALIGN_ARTIFACTS is set; a symlinked source folder is
/// followed to its target). Skips the test when absent.
/// </summary>
internal static class SharedDataFiles
{
    public static string Tok512 => Require("models/stories260K/tok512.bin");

    public static string StoriesGguf => Require("models/stories260K/stories260K.gguf");

    public static string Require(string relativePath, [CallerFilePath] string sourceFile = "")
    {
        var sourceDirectory = new DirectoryInfo(Path.GetDirectoryName(sourceFile) ?? ".");
        var linkTarget = sourceDirectory.ResolveLinkTarget(returnFinalTarget: true)?.FullName;
        foreach (var start in new[] { AppContext.BaseDirectory, sourceDirectory.FullName, linkTarget }.OfType<string>())
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data", relativePath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        Assert.Skip($"shared/data/{relativePath} not found next to any ancestor of {AppContext.BaseDirectory} or {sourceFile}; " +
                    "it holds the real stories260K files described in shared/data/PROVENANCE.md.");
        return "";
    }
}
