using System.Text;
using System.Text.RegularExpressions;

namespace AlignmentPipeline.Core.Configuration;

/// <summary>Turns a path, directory or glob (relative to the current directory) into sorted absolute file paths.</summary>
public static class PathResolver
{
    public static IReadOnlyList<string> Resolve(string pathOrGlob, bool allowGlob)
    {
        string full = Path.GetFullPath(pathOrGlob);
        if (File.Exists(full))
        {
            return [full];
        }

        if (Directory.Exists(full))
        {
            return Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        }

        if (!allowGlob || pathOrGlob.IndexOfAny(['*', '?']) < 0)
        {
            return [];
        }

        string[] segments = full.Split('/');
        int firstWild = Array.FindIndex(segments, s => s.IndexOfAny(['*', '?']) >= 0);
        string root = string.Join('/', segments.Take(firstWild));
        if (root.Length == 0)
        {
            root = "/";
        }

        if (!Directory.Exists(root))
        {
            return [];
        }

        var pattern = GlobToRegex(string.Join('/', segments.Skip(firstWild)));
        return Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => pattern.IsMatch(Path.GetRelativePath(root, f).Replace('\\', '/')))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static Regex GlobToRegex(string glob)
    {
        var builder = new StringBuilder("^");
        for (int i = 0; i < glob.Length; i++)
        {
            char c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                bool slash = i + 2 < glob.Length && glob[i + 2] == '/';
                builder.Append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else if (c == '*')
            {
                builder.Append("[^/]*");
            }
            else if (c == '?')
            {
                builder.Append("[^/]");
            }
            else
            {
                builder.Append(Regex.Escape(c.ToString()));
            }
        }

        return new Regex(builder.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
