using System.CommandLine;

namespace AlignmentPipeline.Cli;

/// <summary>Options shared by several verbs.</summary>
internal static class CommonOptions
{
    public static Option<string?> Storage() => new("--storage")
    {
        Description = "Storage URI or folder for stage outputs and run records (default: the pipeline's 'storage', $ALIGN_STORAGE, or ./runs).",
    };

    public static Option<string[]> Set() => new("--set")
    {
        Description = "Override a pipeline parameter: --set name=value (repeatable).",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<bool> Json() => new("--json") { Description = "Print machine-readable JSON." };

    public static Argument<string> Pipeline() => new("pipeline") { Description = "The pipeline YAML file." };

    /// <summary>Parses <c>name=value</c> pairs; a malformed one is a usage error.</summary>
    public static IReadOnlyDictionary<string, string> ParseSets(string[]? sets)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string set in sets ?? [])
        {
            int eq = set.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new Core.UserErrorException($"--set '{set}' must look like name=value");
            }

            result[set[..eq].Trim()] = set[(eq + 1)..];
        }

        return result;
    }
}
