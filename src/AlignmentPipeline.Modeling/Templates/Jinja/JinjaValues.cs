using System.Globalization;

namespace AlignmentPipeline.Modeling.Templates.Jinja;

/// <summary>A name or key that does not exist: renders as "", is falsy, and fails <c>is defined</c>.</summary>
internal sealed class JinjaUndefined
{
    public static readonly JinjaUndefined Instance = new();

    private JinjaUndefined()
    {
    }
}

/// <summary>
/// Python semantics for template values (string, long, double, bool, null, <see cref="JinjaUndefined"/>, lists of
/// values, string-keyed dictionaries): truthiness, str(), equality and ordering.
/// </summary>
internal static class JinjaValues
{
    public static bool IsTrue(object? value) => value switch
    {
        null or JinjaUndefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        IReadOnlyList<object?> list => list.Count > 0,
        IReadOnlyDictionary<string, object?> dict => dict.Count > 0,
        _ => true,
    };

    public static string ToText(object? value) => value switch
    {
        null => "None",
        JinjaUndefined => "",
        string s => s,
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d == Math.Floor(d) && Math.Abs(d) < 1e16 ? d.ToString("0.0", CultureInfo.InvariantCulture) : d.ToString("R", CultureInfo.InvariantCulture),
        IReadOnlyList<object?> list => "[" + string.Join(", ", list.Select(Repr)) + "]",
        IReadOnlyDictionary<string, object?> dict => "{" + string.Join(", ", dict.Select(kv => $"{Repr(kv.Key)}: {Repr(kv.Value)}")) + "}",
        _ => value.ToString() ?? "",
    };

    public static bool AreEqual(object? left, object? right) => (left, right) switch
    {
        (null, null) => true,
        (JinjaUndefined, JinjaUndefined) => true,
        _ when IsNumber(left) && IsNumber(right) => ToDouble(left) == ToDouble(right),
        (string a, string b) => a == b,
        (IReadOnlyList<object?> a, IReadOnlyList<object?> b) => a.Count == b.Count && a.Zip(b).All(p => AreEqual(p.First, p.Second)),
        _ => false,
    };

    /// <summary>Compares numbers with numbers and strings with strings (ordinal); null when the types do not order.</summary>
    public static int? Compare(object? left, object? right) => (left, right) switch
    {
        _ when IsNumber(left) && IsNumber(right) => ToDouble(left).CompareTo(ToDouble(right)),
        (string a, string b) => string.CompareOrdinal(a, b),
        _ => null,
    };

    public static bool IsNumber(object? value) => value is long or double or bool;

    public static double ToDouble(object? value) => value switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        _ => throw new InvalidCastException(),
    };

    /// <summary>The value's type with its article, for error messages ("a string", "an integer").</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "none",
        JinjaUndefined => "an undefined value",
        string => "a string",
        bool => "a boolean",
        long => "an integer",
        double => "a float",
        IReadOnlyList<object?> => "a list",
        IReadOnlyDictionary<string, object?> => "a dict",
        _ => "a " + value.GetType().Name,
    };

    private static string Repr(object? value) => value switch
    {
        string s => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'") + "'",
        _ => ToText(value),
    };
}
