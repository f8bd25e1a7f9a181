using System.Collections;
using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace AlignmentPipeline.Core.Configuration;

/// <summary>
/// Binds a YAML mapping onto a sealed options type: every key must be a property, every value must convert to the
/// property's type and satisfy its range; every problem is collected with its file:line:col.
/// </summary>
internal sealed class OptionsBinder
{
    private readonly string file;
    private readonly ScalarInterpolator interpolator;
    private readonly IReadOnlySet<string> stageNames;
    private readonly List<ConfigError> errors;

    public OptionsBinder(string file, ScalarInterpolator interpolator, IReadOnlySet<string> stageNames, List<ConfigError> errors)
    {
        this.file = file;
        this.interpolator = interpolator;
        this.stageNames = stageNames;
        this.errors = errors;
    }

    public sealed class Result
    {
        public Dictionary<string, IReadOnlyList<string>> StageReferences { get; } = new(StringComparer.Ordinal);

        public List<ExternalReference> Files { get; } = [];

        public HashSet<string> EnvKeys { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, SourceLocation> KeyLocations { get; } = new(StringComparer.Ordinal);
    }

    public object Bind(Type type, YamlMappingNode node, ISet<string> reservedKeys, string prefix, Result result)
    {
        object options = Activator.CreateInstance(type)
            ?? throw new InvalidOperationException($"{type} needs a public parameterless constructor.");
        int errorsBefore = errors.Count;
        var properties = OptionProperty.Of(type);
        var byKey = properties.ToDictionary(p => p.Key, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);

        foreach (var (keyNode, valueNode) in node.Children)
        {
            string key = ((YamlScalarNode)keyNode).Value ?? "";
            if (reservedKeys.Contains(key))
            {
                continue;
            }

            string dotted = prefix + key;
            result.KeyLocations[dotted] = Locate(keyNode);
            if (!byKey.TryGetValue(key, out var property))
            {
                errors.Add(new ConfigError(Locate(keyNode), $"unknown key '{dotted}'", DidYouMean.Hint(key, byKey.Keys)));
                continue;
            }

            seen.Add(key);
            if (property.Reference is not null)
            {
                object? reference = BindReference(property, valueNode, dotted, result);
                if (reference is not null)
                {
                    property.Property.SetValue(options, reference);
                }

                continue;
            }

            if (TryConvert(property.Property.PropertyType, valueNode, dotted, result, out object? value))
            {
                if (value is not null && property.Range is { } range && !InRange(value, range))
                {
                    errors.Add(new ConfigError(Locate(valueNode), $"'{dotted}' is {Format(value)}, outside [{range.Minimum}, {range.Maximum}]",
                        $"choose a value from {range.Minimum} to {range.Maximum}"));
                }

                property.Property.SetValue(options, value);
            }
        }

        foreach (var property in properties.Where(p => p.Required && !seen.Contains(p.Key)))
        {
            errors.Add(new ConfigError(Locate(node), $"missing required key '{prefix + property.Key}'",
                string.IsNullOrEmpty(property.Description) ? null : property.Description));
        }

        // Cross-field rules run when this object's own keys bound cleanly; other stages' problems do not hide them.
        if (options is IValidatableOptions validatable && errors.Count == errorsBefore)
        {
            foreach (var problem in validatable.Validate())
            {
                string dotted = prefix + problem.Key;
                var location = result.KeyLocations.TryGetValue(dotted, out var at) ? at : Locate(node);
                errors.Add(new ConfigError(location, $"'{dotted}': {problem.Message}"));
            }
        }

        return options;
    }

    /// <summary>The options as the fingerprint sees them: every non-reference property, keys sorted.</summary>
    public static JsonObject Canonical(object options)
    {
        var json = new JsonObject();
        foreach (var property in OptionProperty.Of(options.GetType()).Where(p => p.Reference is null).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            json[property.Key] = ToJson(property.Property.GetValue(options));
        }

        return json;
    }

    private static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        float f => JsonValue.Create((double)f),
        Enum e => JsonValue.Create(OptionProperty.SnakeCase(e.ToString())),
        IDictionary dictionary => new JsonObject(dictionary.Keys.Cast<object>()
            .OrderBy(k => k.ToString(), StringComparer.Ordinal)
            .Select(k => KeyValuePair.Create(k.ToString()!, ToJson(dictionary[k])))),
        IEnumerable sequence => new JsonArray(sequence.Cast<object?>().Select(ToJson).ToArray()),
        _ => Canonical(value),
    };

    private object? BindReference(OptionProperty property, YamlNode valueNode, string dotted, Result result)
    {
        bool isList = property.Property.PropertyType != typeof(string);
        var scalars = new List<YamlScalarNode>();
        if (valueNode is YamlScalarNode single)
        {
            scalars.Add(single);
        }
        else if (isList && valueNode is YamlSequenceNode sequence && sequence.Children.All(c => c is YamlScalarNode))
        {
            scalars.AddRange(sequence.Children.Cast<YamlScalarNode>());
        }
        else
        {
            errors.Add(new ConfigError(Locate(valueNode), $"'{dotted}' must be {(isList ? "a path, a stage name or a list of them" : "a path or a stage name")}"));
            return null;
        }

        var values = new List<string>();
        var stages = new List<string>();
        var attribute = property.Reference!;
        foreach (var scalar in scalars)
        {
            string? text = interpolator.Interpolate(scalar, dotted, result.EnvKeys);
            if (text is null)
            {
                continue;
            }

            values.Add(text);
            if (attribute.AllowStage && stageNames.Contains(text))
            {
                stages.Add(text);
                continue;
            }

            var files = PathResolver.Resolve(text, attribute.AllowGlob);
            if (files.Count == 0)
            {
                string what = attribute.AllowStage ? "is neither a stage of this pipeline nor an existing path" : "does not exist";
                string fix = attribute.AllowStage
                    ? $"stages: {string.Join(", ", stageNames.Order(StringComparer.Ordinal))}; relative paths start at {Environment.CurrentDirectory}"
                    : $"relative paths start at {Environment.CurrentDirectory}";
                errors.Add(new ConfigError(Locate(scalar), $"'{dotted}': '{text}' {what}", fix));
                continue;
            }

            result.Files.Add(new ExternalReference(dotted, text, files, attribute.PathInFingerprint));
        }

        if (stages.Count > 0)
        {
            result.StageReferences[dotted] = stages;
        }

        return isList ? values : values.FirstOrDefault();
    }

    private bool TryConvert(Type type, YamlNode node, string dotted, Result result, out object? value)
    {
        value = null;
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            if (node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } nullScalar && IsNull(nullScalar.Value))
            {
                return true;
            }

            type = underlying;
        }

        if (IsScalarType(type))
        {
            if (node is not YamlScalarNode scalar)
            {
                errors.Add(new ConfigError(Locate(node), $"'{dotted}' must be {Describe(type)}, found a {(node is YamlSequenceNode ? "list" : "mapping")}"));
                return false;
            }

            string? text = interpolator.Interpolate(scalar, dotted, result.EnvKeys);
            if (text is null)
            {
                return false;
            }

            if (ParseScalar(type, text, out value))
            {
                return true;
            }

            string fix = type.IsEnum ? $"one of: {string.Join(", ", Enum.GetNames(type).Select(OptionProperty.SnakeCase))}" : "";
            errors.Add(new ConfigError(Locate(node), $"'{dotted}' must be {Describe(type)}, found '{text}'", fix.Length > 0 ? fix : null));
            return false;
        }

        if (ElementType(type) is { } elementType)
        {
            var items = node switch
            {
                YamlSequenceNode sequence => sequence.Children.ToList(),
                YamlScalarNode scalar => [scalar],
                _ => null,
            };
            if (items is null)
            {
                errors.Add(new ConfigError(Locate(node), $"'{dotted}' must be a list of {Describe(elementType)}, found a mapping"));
                return false;
            }

            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
            bool ok = true;
            for (int i = 0; i < items.Count; i++)
            {
                ok &= TryConvert(elementType, items[i], $"{dotted}[{i}]", result, out object? item);
                list.Add(item);
            }

            value = type.IsArray ? ToArray(list, elementType) : list;
            return ok;
        }

        if (DictionaryValueType(type) is { } valueType)
        {
            if (node is not YamlMappingNode mapping)
            {
                errors.Add(new ConfigError(Locate(node), $"'{dotted}' must be a mapping of names to {Describe(valueType)}"));
                return false;
            }

            var dictionary = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType))!;
            bool ok = true;
            foreach (var (keyNode, itemNode) in mapping.Children)
            {
                string key = ((YamlScalarNode)keyNode).Value ?? "";
                ok &= TryConvert(valueType, itemNode, $"{dotted}.{key}", result, out object? item);
                dictionary[key] = item;
            }

            value = dictionary;
            return ok;
        }

        if (node is not YamlMappingNode nested)
        {
            errors.Add(new ConfigError(Locate(node), $"'{dotted}' must be a mapping with keys {string.Join(", ", OptionProperty.Of(type).Select(p => p.Key))}"));
            return false;
        }

        int before = errors.Count;
        value = Bind(type, nested, new HashSet<string>(), dotted + ".", result);
        return errors.Count == before;
    }

    private static bool IsScalarType(Type type) =>
        type == typeof(string) || type == typeof(int) || type == typeof(long) || type == typeof(double)
        || type == typeof(float) || type == typeof(bool) || type.IsEnum;

    private static bool IsNull(string? text) => text is null or "" or "~" or "null" or "Null" or "NULL";

    private static bool ParseScalar(Type type, string text, out object? value)
    {
        value = null;
        var inv = CultureInfo.InvariantCulture;
        if (type == typeof(string))
        {
            value = text;
            return true;
        }

        if (type == typeof(int) && int.TryParse(text.Replace("_", ""), NumberStyles.Integer, inv, out int i))
        {
            value = i;
            return true;
        }

        if (type == typeof(long) && long.TryParse(text.Replace("_", ""), NumberStyles.Integer, inv, out long l))
        {
            value = l;
            return true;
        }

        if ((type == typeof(double) || type == typeof(float)) && double.TryParse(text, NumberStyles.Float, inv, out double d) && double.IsFinite(d))
        {
            value = type == typeof(float) ? (float)d : d;
            return true;
        }

        if (type == typeof(bool) && text is "true" or "false" or "True" or "False" or "TRUE" or "FALSE")
        {
            value = text.Equals("true", StringComparison.OrdinalIgnoreCase);
            return true;
        }

        if (type.IsEnum)
        {
            string normalized = text.Replace("-", "_").ToLowerInvariant();
            foreach (string name in Enum.GetNames(type))
            {
                if (OptionProperty.SnakeCase(name) == normalized || name.Equals(text, StringComparison.OrdinalIgnoreCase))
                {
                    value = Enum.Parse(type, name);
                    return true;
                }
            }
        }

        return false;
    }

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(string) => "a string",
        _ when type == typeof(int) || type == typeof(long) => "an integer",
        _ when type == typeof(double) || type == typeof(float) => "a number",
        _ when type == typeof(bool) => "true or false",
        _ when type.IsEnum => $"one of {string.Join(", ", Enum.GetNames(type).Select(OptionProperty.SnakeCase))}",
        _ => "a mapping",
    };

    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            if (definition == typeof(List<>) || definition == typeof(IReadOnlyList<>) || definition == typeof(IList<>)
                || definition == typeof(IEnumerable<>) || definition == typeof(IReadOnlyCollection<>))
            {
                return type.GetGenericArguments()[0];
            }
        }

        return null;
    }

    private static Type? DictionaryValueType(Type type)
    {
        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            if ((definition == typeof(Dictionary<,>) || definition == typeof(IReadOnlyDictionary<,>) || definition == typeof(IDictionary<,>))
                && type.GetGenericArguments()[0] == typeof(string))
            {
                return type.GetGenericArguments()[1];
            }
        }

        return null;
    }

    private static Array ToArray(IList list, Type elementType)
    {
        var array = Array.CreateInstance(elementType, list.Count);
        list.CopyTo(array, 0);
        return array;
    }

    private static bool InRange(object value, System.ComponentModel.DataAnnotations.RangeAttribute range)
    {
        double x = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        double min = Convert.ToDouble(range.Minimum, CultureInfo.InvariantCulture);
        double max = Convert.ToDouble(range.Maximum, CultureInfo.InvariantCulture);
        return x >= min && x <= max;
    }

    private static string Format(object value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";

    private SourceLocation Locate(YamlNode node) => new(file, (int)node.Start.Line, (int)node.Start.Column);
}
