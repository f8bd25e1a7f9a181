using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;

namespace AlignmentPipeline.Core.Configuration;

/// <summary>What the binder and the docs know about one options property.</summary>
public sealed record OptionProperty(
    PropertyInfo Property,
    string Key,
    string Description,
    RangeAttribute? Range,
    bool Required,
    PathOrStageAttribute? Reference)
{
    private static readonly Dictionary<Type, IReadOnlyList<OptionProperty>> Cache = [];

    /// <summary>The settable public properties of an options type, in declaration order.</summary>
    public static IReadOnlyList<OptionProperty> Of(Type optionsType)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(optionsType, out var known))
            {
                return known;
            }

            var list = optionsType
                .GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanWrite && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
                .OrderBy(p => p.MetadataToken)
                .Select(p => new OptionProperty(
                    p,
                    p.GetCustomAttribute<YamlKeyAttribute>()?.Key ?? SnakeCase(p.Name),
                    p.GetCustomAttribute<DescriptionAttribute>()?.Description ?? "",
                    p.GetCustomAttribute<RangeAttribute>(),
                    p.GetCustomAttribute<RequiredAttribute>() is not null,
                    p.GetCustomAttribute<PathOrStageAttribute>()))
                .ToList();
            Cache[optionsType] = list;
            return list;
        }
    }

    /// <summary><c>MaxLength</c> → <c>max_length</c>.</summary>
    public static string SnakeCase(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                bool boundary = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1])
                                          || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1])));
                if (boundary)
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
