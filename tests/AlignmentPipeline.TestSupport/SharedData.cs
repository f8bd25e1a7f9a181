using System.Runtime.CompilerServices;

namespace AlignmentPipeline.TestSupport;

/// <summary>
/// Finds the project's real data: <c>shared/data</c> beside an ancestor of the test's build output or of this
/// checkout's source folder (with ALIGN_ARTIFACTS the build output lives outside the checkout; a symlinked checkout
/// is followed to its target). Tests that need it call <see cref="RequireFile"/>, which skips the test with a visible
/// reason when the data is absent.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string?> Root = new(() =>
    {
        foreach (string start in StartFolders())
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "data");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    });

    /// <summary>The shared data folder, or null when it is absent.</summary>
    public static string? Folder => Root.Value;

    /// <summary>The absolute path of a file under shared/data; skips the calling test when it is absent.</summary>
    public static string RequireFile(string relative)
    {
        string? root = Root.Value;
        if (root is null)
        {
            Assert.Skip($"shared/data was not found beside any ancestor of {string.Join(" or ", StartFolders())}; " +
                        $"this test needs {relative} (see shared/data/PROVENANCE.md)");
        }

        string path = Path.Combine(root, relative);
        if (!File.Exists(path))
        {
            Assert.Skip($"{path} is absent; this test needs it");
        }

        return path;
    }

    private static IEnumerable<string> StartFolders([CallerFilePath] string thisSourceFile = "")
    {
        yield return AppContext.BaseDirectory;
        var sourceFolder = new DirectoryInfo(Path.GetDirectoryName(thisSourceFile) ?? ".");
        yield return sourceFolder.FullName;
        if (sourceFolder.Parent?.Parent?.ResolveLinkTarget(returnFinalTarget: true) is { } checkoutTarget)
        {
            yield return checkoutTarget.FullName;
        }
    }
}
