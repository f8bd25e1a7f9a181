using System.Text;

namespace AlignmentPipeline.Modeling.Templates.Jinja;

/// <summary>
/// Evaluates a parsed template against variables. Supported beyond operators: filters <c>trim</c>, <c>length</c>,
/// <c>upper</c>, <c>lower</c>, <c>string</c>, <c>default</c>; tests <c>defined</c>, <c>undefined</c>, <c>none</c>,
/// <c>string</c>, <c>number</c>, <c>mapping</c>, <c>sequence</c>, <c>true</c>, <c>false</c>; string methods <c>strip</c>,
/// <c>lstrip</c>, <c>rstrip</c>, <c>upper</c>, <c>lower</c>, <c>startswith</c>, <c>endswith</c>; dict <c>get</c>;
/// <c>loop.index</c>, <c>index0</c>, <c>revindex</c>, <c>revindex0</c>, <c>first</c>, <c>last</c>, <c>length</c>;
/// the function <c>raise_exception(message)</c>. A for-loop body has its own scope for <c>set</c>, as in Jinja.
/// </summary>
internal sealed class JinjaRenderer(string source)
{
    private readonly List<Dictionary<string, object?>> _scopes = [];

    public string Render(IReadOnlyList<JinjaNode> template, IReadOnlyDictionary<string, object?> variables)
    {
        _scopes.Clear();
        _scopes.Add(new Dictionary<string, object?>(variables));
        var output = new StringBuilder();
        RenderBody(template, output);
        return output.ToString();
    }

    private void RenderBody(IReadOnlyList<JinjaNode> body, StringBuilder output)
    {
        foreach (var node in body)
        {
            switch (node)
            {
                case TextNode text:
                    output.Append(text.Text);
                    break;
                case OutputNode value:
                    output.Append(JinjaValues.ToText(Evaluate(value.Value)));
                    break;
                case SetNode set:
                    _scopes[^1][set.Name] = Evaluate(set.Value);
                    break;
                case IfNode ifNode:
                    var branch = ifNode.Branches.FirstOrDefault(b => JinjaValues.IsTrue(Evaluate(b.Condition)));
                    RenderBody(branch.Body ?? ifNode.ElseBody, output);
                    break;
                case ForNode forNode:
                    RenderFor(forNode, output);
                    break;
            }
        }
    }

    private void RenderFor(ForNode node, StringBuilder output)
    {
        var items = Evaluate(node.Iterable) switch
        {
            IReadOnlyList<object?> list => list,
            string s => [.. s.Select(c => (object?)c.ToString())],
            IReadOnlyDictionary<string, object?> dict => [.. dict.Keys],
            JinjaUndefined => [],
            var other => throw Error($"cannot loop over {JinjaValues.TypeName(other)}", node.Iterable.Offset),
        };
        if (items.Count == 0)
        {
            RenderBody(node.ElseBody, output);
            return;
        }
        for (var i = 0; i < items.Count; i++)
        {
            var loop = new Dictionary<string, object?>
            {
                ["index"] = (long)i + 1,
                ["index0"] = (long)i,
                ["revindex"] = (long)(items.Count - i),
                ["revindex0"] = (long)(items.Count - i - 1),
                ["first"] = i == 0,
                ["last"] = i == items.Count - 1,
                ["length"] = (long)items.Count,
            };
            _scopes.Add(new Dictionary<string, object?> { [node.Target] = items[i], ["loop"] = loop });
            try
            {
                RenderBody(node.Body, output);
            }
            finally
            {
                _scopes.RemoveAt(_scopes.Count - 1);
            }
        }
    }

    private object? Evaluate(JinjaExpr expr) => expr switch
    {
        LiteralExpr literal => literal.Value,
        ListExpr list => list.Items.Select(Evaluate).ToList(),
        NameExpr name => Lookup(name.Name),
        AttributeExpr attribute => Member(Evaluate(attribute.Target), attribute.Name),
        IndexExpr index => Subscript(Evaluate(index.Target), Evaluate(index.Index), index.Offset),
        SliceExpr slice => Slice(slice),
        CallExpr call => Call(call),
        FilterExpr filter => ApplyFilter(filter),
        TestExpr test => ApplyTest(test) != test.Negated,
        UnaryExpr unary => Unary(unary),
        BinaryExpr binary => Binary(binary),
        ConditionalExpr conditional => JinjaValues.IsTrue(Evaluate(conditional.Condition))
            ? Evaluate(conditional.WhenTrue)
            : conditional.WhenFalse is null ? JinjaUndefined.Instance : Evaluate(conditional.WhenFalse),
        _ => throw Error($"unsupported expression {expr.GetType().Name}", expr.Offset),
    };

    private object? Lookup(string name)
    {
        for (var i = _scopes.Count - 1; i >= 0; i--)
        {
            if (_scopes[i].TryGetValue(name, out var value))
            {
                return value;
            }
        }
        return JinjaUndefined.Instance;
    }

    private static object? Member(object? target, string name) => target switch
    {
        IReadOnlyDictionary<string, object?> dict => dict.TryGetValue(name, out var value) ? value : JinjaUndefined.Instance,
        _ => JinjaUndefined.Instance,
    };

    private object? Subscript(object? target, object? index, int offset) => (target, index) switch
    {
        (IReadOnlyDictionary<string, object?> dict, string key) => dict.TryGetValue(key, out var value) ? value : JinjaUndefined.Instance,
        (IReadOnlyList<object?> list, long i) => ListIndex(list.Count, i) is { } at ? list[at] : JinjaUndefined.Instance,
        (string s, long i) => ListIndex(s.Length, i) is { } at ? s[at].ToString() : JinjaUndefined.Instance,
        (JinjaUndefined, _) => JinjaUndefined.Instance,
        _ => throw Error($"cannot index {JinjaValues.TypeName(target)} with {JinjaValues.TypeName(index)}", offset),
    };

    private static int? ListIndex(int count, long index)
    {
        var at = index < 0 ? count + index : index;
        return at >= 0 && at < count ? (int)at : null;
    }

    private object? Slice(SliceExpr slice)
    {
        var target = Evaluate(slice.Target);
        var count = target switch
        {
            IReadOnlyList<object?> list => list.Count,
            string s => s.Length,
            _ => throw Error($"cannot slice {JinjaValues.TypeName(target)}", slice.Offset),
        };
        int Bound(JinjaExpr? expr, int fallback)
        {
            if (expr is null)
            {
                return fallback;
            }
            var value = Evaluate(expr) as long? ?? throw Error("slice bounds must be integers", expr.Offset);
            return (int)Math.Clamp(value < 0 ? count + value : value, 0, count);
        }
        var start = Bound(slice.Start, 0);
        var stop = Math.Max(start, Bound(slice.Stop, count));
        return target is string text ? text[start..stop] : ((IReadOnlyList<object?>)target!).Skip(start).Take(stop - start).ToList();
    }

    private object? Call(CallExpr call)
    {
        var arguments = call.Arguments.Select(Evaluate).ToList();
        if (call.Callee is NameExpr { Name: "raise_exception" })
        {
            throw new ChatTemplateException($"chat template raised an error: {JinjaValues.ToText(arguments.FirstOrDefault())}");
        }
        if (call.Callee is not AttributeExpr { } method)
        {
            throw Error($"unsupported function '{(call.Callee as NameExpr)?.Name ?? "(expression)"}'", call.Offset);
        }
        var target = Evaluate(method.Target);
        return (target, method.Name, arguments.Count) switch
        {
            (string s, "strip", 0) => s.Trim(),
            (string s, "lstrip", 0) => s.TrimStart(),
            (string s, "rstrip", 0) => s.TrimEnd(),
            (string s, "strip", 1) => s.Trim(StringArgument(arguments[0], call).ToCharArray()),
            (string s, "upper", 0) => s.ToUpperInvariant(),
            (string s, "lower", 0) => s.ToLowerInvariant(),
            (string s, "startswith", 1) => s.StartsWith(StringArgument(arguments[0], call), StringComparison.Ordinal),
            (string s, "endswith", 1) => s.EndsWith(StringArgument(arguments[0], call), StringComparison.Ordinal),
            (IReadOnlyDictionary<string, object?> d, "get", 1 or 2) =>
                d.TryGetValue(StringArgument(arguments[0], call), out var value) ? value : arguments.Count == 2 ? arguments[1] : null,
            _ => throw Error($"unsupported method '{method.Name}' with {arguments.Count} argument(s) on {JinjaValues.TypeName(target)}", call.Offset),
        };
    }

    private string StringArgument(object? value, CallExpr call) =>
        value as string ?? throw Error($"expected a string argument but got {JinjaValues.TypeName(value)}", call.Offset);

    private object? ApplyFilter(FilterExpr filter)
    {
        var value = Evaluate(filter.Target);
        var arguments = filter.Arguments.Select(Evaluate).ToList();
        return (filter.Name, value) switch
        {
            ("trim", _) => JinjaValues.ToText(value).Trim(),
            ("upper", _) => JinjaValues.ToText(value).ToUpperInvariant(),
            ("lower", _) => JinjaValues.ToText(value).ToLowerInvariant(),
            ("string", _) => JinjaValues.ToText(value),
            ("length" or "count", string s) => (long)s.Length,
            ("length" or "count", IReadOnlyList<object?> list) => (long)list.Count,
            ("length" or "count", IReadOnlyDictionary<string, object?> dict) => (long)dict.Count,
            ("default" or "d", JinjaUndefined) => arguments.FirstOrDefault(""),
            ("default" or "d", _) => value,
            _ => throw Error($"unsupported filter '{filter.Name}' on {JinjaValues.TypeName(value)}", filter.Offset),
        };
    }

    private bool ApplyTest(TestExpr test)
    {
        var value = Evaluate(test.Target);
        return test.Name switch
        {
            "defined" => value is not JinjaUndefined,
            "undefined" => value is JinjaUndefined,
            "none" => value is null,
            "string" => value is string,
            "number" => value is long or double,
            "mapping" => value is IReadOnlyDictionary<string, object?>,
            "sequence" or "iterable" => value is string or IReadOnlyList<object?> or IReadOnlyDictionary<string, object?>,
            "true" => value is true,
            "false" => value is false,
            _ => throw Error($"unsupported test 'is {test.Name}'", test.Offset),
        };
    }

    private object? Unary(UnaryExpr unary)
    {
        var operand = Evaluate(unary.Operand);
        return unary.Operator switch
        {
            "not" => !JinjaValues.IsTrue(operand),
            "-" when operand is long l => -l,
            "-" when operand is double d => -d,
            "+" when JinjaValues.IsNumber(operand) => operand,
            _ => throw Error($"cannot apply '{unary.Operator}' to {JinjaValues.TypeName(operand)}", unary.Offset),
        };
    }

    private object? Binary(BinaryExpr binary)
    {
        if (binary.Operator is "and" or "or")
        {
            var left = Evaluate(binary.Left);
            return JinjaValues.IsTrue(left) == (binary.Operator == "and") ? Evaluate(binary.Right) : left;
        }
        var a = Evaluate(binary.Left);
        var b = Evaluate(binary.Right);
        return binary.Operator switch
        {
            "==" => JinjaValues.AreEqual(a, b),
            "!=" => !JinjaValues.AreEqual(a, b),
            "<" or ">" or "<=" or ">=" => Ordered(binary, a, b),
            "in" => Contains(b, a, binary.Offset),
            "~" => JinjaValues.ToText(a) + JinjaValues.ToText(b),
            "+" => (a, b) switch
            {
                (string x, string y) => x + y,
                (IReadOnlyList<object?> x, IReadOnlyList<object?> y) => x.Concat(y).ToList(),
                (long x, long y) => x + y,
                _ when JinjaValues.IsNumber(a) && JinjaValues.IsNumber(b) => JinjaValues.ToDouble(a) + JinjaValues.ToDouble(b),
                _ => throw Error($"cannot add {JinjaValues.TypeName(a)} and {JinjaValues.TypeName(b)} (use '~' to join as text)", binary.Offset),
            },
            _ => Arithmetic(binary, a, b),
        };
    }

    private bool Ordered(BinaryExpr binary, object? a, object? b)
    {
        var order = JinjaValues.Compare(a, b)
            ?? throw Error($"cannot compare {JinjaValues.TypeName(a)} with {JinjaValues.TypeName(b)} using '{binary.Operator}'", binary.Offset);
        return binary.Operator switch { "<" => order < 0, ">" => order > 0, "<=" => order <= 0, _ => order >= 0 };
    }

    private bool Contains(object? container, object? item, int offset) => container switch
    {
        string s when item is string part => s.Contains(part, StringComparison.Ordinal),
        IReadOnlyList<object?> list => list.Any(x => JinjaValues.AreEqual(x, item)),
        IReadOnlyDictionary<string, object?> dict => item is string key && dict.ContainsKey(key),
        JinjaUndefined => false,
        _ => throw Error($"cannot test membership in {JinjaValues.TypeName(container)}", offset),
    };

    private object? Arithmetic(BinaryExpr binary, object? a, object? b)
    {
        if (!JinjaValues.IsNumber(a) || !JinjaValues.IsNumber(b))
        {
            throw Error($"cannot apply '{binary.Operator}' to {JinjaValues.TypeName(a)} and {JinjaValues.TypeName(b)}", binary.Offset);
        }
        if (binary.Operator is "/" or "//" or "%" && JinjaValues.ToDouble(b) == 0)
        {
            throw Error("division by zero", binary.Offset);
        }
        if (a is long or bool && b is long or bool)
        {
            var (x, y) = ((long)JinjaValues.ToDouble(a), (long)JinjaValues.ToDouble(b));
            switch (binary.Operator)
            {
                case "-": return x - y;
                case "*": return x * y;
                case "//": return (long)Math.Floor((double)x / y);
                case "%": return ((x % y) + y) % y;
            }
        }
        var (p, q) = (JinjaValues.ToDouble(a), JinjaValues.ToDouble(b));
        return binary.Operator switch
        {
            "-" => p - q,
            "*" => p * q,
            "/" => p / q,
            "//" => Math.Floor(p / q),
            "%" => p - (q * Math.Floor(p / q)),
            _ => throw Error($"unsupported operator '{binary.Operator}'", binary.Offset),
        };
    }

    private ChatTemplateException Error(string problem, int offset) => JinjaErrors.At(source, offset, problem);
}
