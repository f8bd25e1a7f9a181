using System.Collections;
using System.Globalization;
using System.Text.Json.Nodes;

namespace AlignmentPipeline.Core.Configuration;

/// <summary>Documentation of an options type, read from the type itself so it cannot drift from the code.</summary>
public static class OptionDocs
{
    public static IReadOnlyList<OptionDoc> Describe(Type optionsType, string prefix = "")
    {
        object defaults = Activator.CreateInstance(optionsType)!;
        var docs = new List<OptionDoc>();
        foreach (var property in OptionProperty.Of(optionsType))
        {
            var type = Nullable.GetUnderlyingType(property.Property.PropertyType) ?? property.Property.PropertyType;
            object? value = property.Property.GetValue(defaults);
            string range = property.Range is { } r ? $" [{r.Minimum}, {r.Maximum}]" : "";
            docs.Add(new OptionDoc(prefix + property.Key, TypeName(type) + range, property.Required ? "(required)" : Format(value), property.Description, property.Required));
            if (IsNested(type))
            {
                docs.AddRange(Describe(type, prefix + property.Key + "."));
            }
        }

        return docs;
    }

    private static bool IsNested(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type) && type.GetConstructor(Type.EmptyTypes) is not null;

    private static string TypeName(Type type) => type switch
    {
        _ when type == typeof(string) => "string",
        _ when type == typeof(int) || type == typeof(long) => "integer",
        _ when type == typeof(double) || type == typeof(float) => "number",
        _ when type == typeof(bool) => "bool",
        _ when type.IsEnum => string.Join("|", Enum.GetNames(type).Select(OptionProperty.SnakeCase)),
        _ when type.IsGenericType && type.GetGenericArguments().Length == 2 => "mapping",
        _ when typeof(IEnumerable).IsAssignableFrom(type) => "list",
        _ => "mapping",
    };

    private static string Format(object? value) => value switch
    {
        null => "none",
        string s => s.Length == 0 ? "\"\"" : s,
        bool b => b ? "true" : "false",
        Enum e => OptionProperty.SnakeCase(e.ToString()),
        IDictionary d => d.Count == 0 ? "{}" : "{…}",
        IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(Format)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => "{…}",
    };
}

/// <summary>One documented option.</summary>
public sealed record OptionDoc(string Key, string Type, string Default, string Description, bool Required)
{
    public JsonObject ToJson() => new()
    {
        ["key"] = Key,
        ["type"] = Type,
        ["default"] = Default,
        ["required"] = Required,
        ["description"] = Description,
    };
}
