namespace AlignmentPipeline.TestSupport;

/// <summary>
/// Finds the project's real data (<c>shared/data</c> beside an ancestor of the test's folder). Tests that need it call
/// <see cref="RequireFile"/>, which skips the test with a visible reason when the data is absent.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string?> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate))
            {
                return candidate;
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
            Assert.Skip($"shared/data was not found beside any ancestor of {AppContext.BaseDirectory}; this test needs {relative}");
        }

        string path = Path.Combine(root, relative);
        if (!File.Exists(path))
        {
            Assert.Skip($"{path} is absent; this test needs it");
        }

        return path;
    }
}
