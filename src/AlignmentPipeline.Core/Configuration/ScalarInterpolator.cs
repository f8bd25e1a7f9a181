using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace AlignmentPipeline.Core.Configuration;

/// <summary>
/// Replaces <c>${params.NAME}</c> and <c>${env:NAME}</c> in YAML scalars. Undefined names are errors at the scalar's
/// position. Keys whose value used the environment are recorded so that stored copies of the options can redact them.
/// </summary>
internal sealed partial class ScalarInterpolator
{
    private readonly string file;
    private readonly IReadOnlyDictionary<string, string> parameters;
    private readonly Func<string, string?> environment;
    private readonly List<ConfigError> errors;

    public ScalarInterpolator(string file, IReadOnlyDictionary<string, string> parameters, Func<string, string?> environment, List<ConfigError> errors)
    {
        this.file = file;
        this.parameters = parameters;
        this.environment = environment;
        this.errors = errors;
    }

    /// <summary>The interpolated text, or null when a name was undefined (the error is recorded).</summary>
    public string? Interpolate(YamlScalarNode scalar, string key, ISet<string> envKeys)
    {
        string text = scalar.Value ?? "";
        bool ok = true;
        bool usedEnv = false;
        string result = Reference().Replace(text, match =>
        {
            if (match.Groups["param"].Success)
            {
                string name = match.Groups["param"].Value;
                if (parameters.TryGetValue(name, out var value))
                {
                    return value;
                }

                errors.Add(new ConfigError(Locate(scalar, match.Index), $"undefined parameter '{name}' in '{key}'",
                    parameters.Count == 0 ? "declare it under 'params:'" : $"declare it under 'params:' or {DidYouMean.Hint(name, parameters.Keys)}"));
                ok = false;
                return "";
            }

            string variable = match.Groups["env"].Value;
            string? fromEnvironment = environment(variable);
            if (fromEnvironment is null)
            {
                errors.Add(new ConfigError(Locate(scalar, match.Index), $"environment variable '{variable}' is not set (used by '{key}')",
                    $"export {variable}=… before running"));
                ok = false;
                return "";
            }

            usedEnv = true;
            return fromEnvironment;
        });

        if (usedEnv)
        {
            envKeys.Add(key);
        }

        return ok ? result : null;
    }

    private SourceLocation Locate(YamlScalarNode scalar, int offset)
    {
        bool quoted = scalar.Style is YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted;
        bool sameLine = scalar.Start.Line == scalar.End.Line;
        int column = (int)scalar.Start.Column + (sameLine ? offset + (quoted ? 1 : 0) : 0);
        return new SourceLocation(file, (int)scalar.Start.Line, column);
    }

    [GeneratedRegex(@"\$\{(?:params\.(?<param>[A-Za-z_][A-Za-z0-9_\-]*)|env:(?<env>[A-Za-z_][A-Za-z0-9_]*))\}")]
    private static partial Regex Reference();
}
