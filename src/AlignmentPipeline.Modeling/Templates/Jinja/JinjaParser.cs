namespace AlignmentPipeline.Modeling.Templates.Jinja;

/// <summary>
/// Parses the supported Jinja subset: text, <c>{{ expr }}</c>, <c>for</c> (with <c>else</c>), <c>if/elif/else</c>,
/// <c>set name = expr</c>; expressions with literals, lists, names, attributes, subscripts and slices, calls,
/// filters, <c>is</c> tests, <c>not/and/or</c>, comparisons, <c>in</c>, arithmetic, <c>~</c> and inline <c>if/else</c>,
/// with Jinja's precedence. Anything else fails with its name and position.
/// </summary>
internal sealed class JinjaParser
{
    private static readonly HashSet<string> ComparisonOperators = ["==", "!=", "<", ">", "<=", ">="];

    /// <summary>Filters, tests, functions and methods <see cref="JinjaRenderer"/> implements; others fail at parse time.</summary>
    internal static readonly HashSet<string> Filters = ["trim", "upper", "lower", "string", "length", "count", "default", "d"];

    internal static readonly HashSet<string> Tests = ["defined", "undefined", "none", "string", "number", "mapping", "sequence", "iterable", "true", "false"];

    internal static readonly HashSet<string> Methods = ["strip", "lstrip", "rstrip", "upper", "lower", "startswith", "endswith", "get"];

    private readonly string _source;
    private readonly IReadOnlyList<JinjaToken> _tokens;
    private int _next;

    public JinjaParser(string source)
    {
        _source = source;
        _tokens = new JinjaLexer(source).Tokenize();
    }

    public IReadOnlyList<JinjaNode> Parse()
    {
        var (body, stop) = ParseBody();
        return stop is null ? body : throw Error($"'{stop.Value}' without a matching opening tag", stop.Offset);
    }

    // Parses until end of input or a statement whose keyword is in stopKeywords; that keyword token is returned
    // (positioned after it), or null at the end of the template.
    private (List<JinjaNode> Body, JinjaToken? Stop) ParseBody(params string[] stopKeywords)
    {
        var body = new List<JinjaNode>();
        while (true)
        {
            var token = Advance();
            switch (token.Kind)
            {
                case JinjaTokenKind.End:
                    _next--;
                    return (body, null);
                case JinjaTokenKind.Text:
                    body.Add(new TextNode(token.Value));
                    break;
                case JinjaTokenKind.OutputStart:
                    body.Add(new OutputNode(ParseExpression()));
                    Expect(JinjaTokenKind.OutputEnd, "}}");
                    break;
                case JinjaTokenKind.StatementStart:
                    var keyword = Expect(JinjaTokenKind.Name, "a statement keyword");
                    if (stopKeywords.Contains(keyword.Value))
                    {
                        return (body, keyword);
                    }
                    body.Add(ParseStatement(keyword));
                    break;
                default:
                    throw Error($"unexpected '{token.Value}'", token.Offset);
            }
        }
    }

    private JinjaNode ParseStatement(JinjaToken keyword) => keyword.Value switch
    {
        "for" => ParseFor(keyword),
        "if" => ParseIf(keyword),
        "set" => ParseSet(),
        "endfor" or "endif" or "elif" or "else" => throw Error($"'{keyword.Value}' without a matching opening tag", keyword.Offset),
        _ => throw Error($"unsupported tag '{keyword.Value}'", keyword.Offset),
    };

    private ForNode ParseFor(JinjaToken keyword)
    {
        var target = Expect(JinjaTokenKind.Name, "a loop variable").Value;
        if (Peek().Value == ",")
        {
            throw Error("unsupported for-loop with several targets (tuple unpacking)", Peek().Offset);
        }
        ExpectName("in");
        var iterable = ParseOr();
        if (Peek() is { Kind: JinjaTokenKind.Name, Value: "if" or "recursive" } extra)
        {
            throw Error($"unsupported for-loop '{extra.Value}' clause", extra.Offset);
        }
        Expect(JinjaTokenKind.StatementEnd, "%}");
        var (body, stop) = ParseBody("else", "endfor");
        IReadOnlyList<JinjaNode> elseBody = [];
        if (stop?.Value == "else")
        {
            Expect(JinjaTokenKind.StatementEnd, "%}");
            (elseBody, stop) = ParseBody("endfor");
        }
        CloseBlock(stop, "endfor", keyword);
        return new ForNode(target, iterable, body, elseBody);
    }

    private IfNode ParseIf(JinjaToken keyword)
    {
        var branches = new List<(JinjaExpr, IReadOnlyList<JinjaNode>)>();
        var condition = ParseExpression();
        while (true)
        {
            Expect(JinjaTokenKind.StatementEnd, "%}");
            var (body, stop) = ParseBody("elif", "else", "endif");
            branches.Add((condition, body));
            switch (stop?.Value)
            {
                case "elif":
                    condition = ParseExpression();
                    continue;
                case "else":
                    Expect(JinjaTokenKind.StatementEnd, "%}");
                    var (elseBody, end) = ParseBody("endif");
                    CloseBlock(end, "endif", keyword);
                    return new IfNode(branches, elseBody);
                default:
                    CloseBlock(stop, "endif", keyword);
                    return new IfNode(branches, []);
            }
        }
    }

    private SetNode ParseSet()
    {
        var name = Expect(JinjaTokenKind.Name, "a variable name");
        if (Peek().Value != "=")
        {
            throw Error(Peek().Value is "." or "," ? "unsupported 'set' target (only a plain name)" : "unsupported block 'set' (use 'set name = value')", Peek().Offset);
        }
        Advance();
        var value = ParseExpression();
        Expect(JinjaTokenKind.StatementEnd, "%}");
        return new SetNode(name.Value, value);
    }

    private void CloseBlock(JinjaToken? stop, string end, JinjaToken opening)
    {
        if (stop is null)
        {
            throw Error($"'{opening.Value}' is never closed with '{end}'", opening.Offset);
        }
        Expect(JinjaTokenKind.StatementEnd, "%}");
    }

    private JinjaExpr ParseExpression()
    {
        var value = ParseOr();
        if (Peek() is { Kind: JinjaTokenKind.Name, Value: "if" } token)
        {
            Advance();
            var condition = ParseOr();
            JinjaExpr? otherwise = null;
            if (Peek() is { Kind: JinjaTokenKind.Name, Value: "else" })
            {
                Advance();
                otherwise = ParseExpression();
            }
            return new ConditionalExpr(condition, value, otherwise, token.Offset);
        }
        return value;
    }

    private JinjaExpr ParseOr() => ParseLeftAssociative(ParseAnd, "or");

    private JinjaExpr ParseAnd() => ParseLeftAssociative(ParseNot, "and");

    private JinjaExpr ParseNot()
    {
        if (Peek() is { Kind: JinjaTokenKind.Name, Value: "not" } token)
        {
            Advance();
            return new UnaryExpr("not", ParseNot(), token.Offset);
        }
        return ParseComparison();
    }

    private JinjaExpr ParseComparison()
    {
        var left = ParseAdditive();
        while (true)
        {
            var token = Peek();
            if (token.Kind == JinjaTokenKind.Operator && ComparisonOperators.Contains(token.Value))
            {
                Advance();
                left = new BinaryExpr(token.Value, left, ParseAdditive(), token.Offset);
            }
            else if (token is { Kind: JinjaTokenKind.Name, Value: "in" })
            {
                Advance();
                left = new BinaryExpr("in", left, ParseAdditive(), token.Offset);
            }
            else if (token is { Kind: JinjaTokenKind.Name, Value: "not" } && _tokens[_next + 1] is { Kind: JinjaTokenKind.Name, Value: "in" })
            {
                Advance();
                Advance();
                left = new UnaryExpr("not", new BinaryExpr("in", left, ParseAdditive(), token.Offset), token.Offset);
            }
            else
            {
                return left;
            }
        }
    }

    private JinjaExpr ParseAdditive() => ParseLeftAssociative(ParseConcat, "+", "-");

    private JinjaExpr ParseConcat() => ParseLeftAssociative(ParseMultiplicative, "~");

    private JinjaExpr ParseMultiplicative() => ParseLeftAssociative(ParseUnary, "*", "/", "//", "%");

    private JinjaExpr ParseLeftAssociative(Func<JinjaExpr> operand, params string[] operators)
    {
        var left = operand();
        while (Peek() is { Kind: JinjaTokenKind.Operator or JinjaTokenKind.Name } token && operators.Contains(token.Value))
        {
            Advance();
            left = new BinaryExpr(token.Value, left, operand(), token.Offset);
        }
        return left;
    }

    private JinjaExpr ParseUnary()
    {
        if (Peek() is { Kind: JinjaTokenKind.Operator, Value: "-" or "+" } token)
        {
            Advance();
            return new UnaryExpr(token.Value, ParseUnary(), token.Offset);
        }
        return ParseFilters(ParsePostfix(ParsePrimary()));
    }

    private JinjaExpr ParsePrimary()
    {
        var token = Advance();
        switch (token.Kind)
        {
            case JinjaTokenKind.String:
                var text = token.Value;
                while (Peek().Kind == JinjaTokenKind.String)
                {
                    text += Advance().Value;
                }
                return new LiteralExpr(text, token.Offset);
            case JinjaTokenKind.Number:
                return new LiteralExpr(
                    token.Value.Contains('.')
                        ? (object)double.Parse(token.Value, System.Globalization.CultureInfo.InvariantCulture)
                        : long.Parse(token.Value, System.Globalization.CultureInfo.InvariantCulture),
                    token.Offset);
            case JinjaTokenKind.Name:
                return token.Value switch
                {
                    "true" or "True" => new LiteralExpr(true, token.Offset),
                    "false" or "False" => new LiteralExpr(false, token.Offset),
                    "none" or "None" => new LiteralExpr(null, token.Offset),
                    _ => new NameExpr(token.Value, token.Offset),
                };
            case JinjaTokenKind.Operator when token.Value == "(":
                var inner = ParseExpression();
                if (Peek().Value == ",")
                {
                    throw Error("unsupported tuple literal", Peek().Offset);
                }
                Expect(JinjaTokenKind.Operator, ")");
                return inner;
            case JinjaTokenKind.Operator when token.Value == "[":
                var items = ParseArguments("]");
                return new ListExpr(items, token.Offset);
            case JinjaTokenKind.Operator when token.Value == "{":
                throw Error("unsupported dict literal", token.Offset);
            default:
                throw Error($"expected an expression but found '{token.Value}'", token.Offset);
        }
    }

    private JinjaExpr ParsePostfix(JinjaExpr target)
    {
        while (true)
        {
            var token = Peek();
            if (token is { Kind: JinjaTokenKind.Operator, Value: "." })
            {
                Advance();
                target = new AttributeExpr(target, Expect(JinjaTokenKind.Name, "an attribute name").Value, token.Offset);
            }
            else if (token is { Kind: JinjaTokenKind.Operator, Value: "[" })
            {
                Advance();
                target = ParseSubscript(target, token.Offset);
            }
            else if (token is { Kind: JinjaTokenKind.Operator, Value: "(" })
            {
                Advance();
                target = target switch
                {
                    NameExpr { Name: "raise_exception" } => new CallExpr(target, ParseArguments(")"), token.Offset),
                    AttributeExpr method when Methods.Contains(method.Name) => new CallExpr(target, ParseArguments(")"), token.Offset),
                    NameExpr name => throw Error($"unsupported function '{name.Name}'", name.Offset),
                    AttributeExpr attribute => throw Error($"unsupported method '{attribute.Name}'", attribute.Offset),
                    _ => throw Error("unsupported call of an expression", token.Offset),
                };
            }
            else
            {
                return target;
            }
        }
    }

    private JinjaExpr ParseSubscript(JinjaExpr target, int offset)
    {
        JinjaExpr? start = Peek().Value == ":" ? null : ParseExpression();
        if (Peek().Value != ":")
        {
            Expect(JinjaTokenKind.Operator, "]");
            return new IndexExpr(target, start!, offset);
        }
        Advance();
        JinjaExpr? stop = Peek().Value is "]" or ":" ? null : ParseExpression();
        if (Peek().Value == ":")
        {
            throw Error("unsupported slice step", Peek().Offset);
        }
        Expect(JinjaTokenKind.Operator, "]");
        return new SliceExpr(target, start, stop, offset);
    }

    private JinjaExpr ParseFilters(JinjaExpr target)
    {
        while (true)
        {
            var token = Peek();
            if (token is { Kind: JinjaTokenKind.Operator, Value: "|" })
            {
                Advance();
                var name = Expect(JinjaTokenKind.Name, "a filter name");
                if (!Filters.Contains(name.Value))
                {
                    throw Error($"unsupported filter '{name.Value}'", name.Offset);
                }
                IReadOnlyList<JinjaExpr> arguments = [];
                if (Peek().Value == "(")
                {
                    Advance();
                    arguments = ParseArguments(")");
                }
                target = ParsePostfix(new FilterExpr(target, name.Value, arguments, name.Offset));
            }
            else if (token is { Kind: JinjaTokenKind.Name, Value: "is" })
            {
                Advance();
                var negated = Peek() is { Kind: JinjaTokenKind.Name, Value: "not" };
                if (negated)
                {
                    Advance();
                }
                var name = Expect(JinjaTokenKind.Name, "a test name");
                if (!Tests.Contains(name.Value))
                {
                    throw Error($"unsupported test 'is {name.Value}'", name.Offset);
                }
                target = new TestExpr(target, name.Value, negated, name.Offset);
            }
            else
            {
                return target;
            }
        }
    }

    private List<JinjaExpr> ParseArguments(string close)
    {
        var arguments = new List<JinjaExpr>();
        while (Peek().Value != close)
        {
            if (Peek().Kind == JinjaTokenKind.Name && _tokens[_next + 1].Value == "=")
            {
                throw Error($"unsupported keyword argument '{Peek().Value}='", Peek().Offset);
            }
            arguments.Add(ParseExpression());
            if (Peek().Value != ",")
            {
                break;
            }
            Advance();
        }
        Expect(JinjaTokenKind.Operator, close);
        return arguments;
    }

    private JinjaToken Peek() => _tokens[_next];

    private JinjaToken Advance() => _tokens[Math.Min(_next++, _tokens.Count - 1)];

    private JinjaToken Expect(JinjaTokenKind kind, string what)
    {
        var token = Peek();
        var matches = token.Kind == kind && (kind != JinjaTokenKind.Operator || token.Value == what);
        if (!matches)
        {
            var found = token.Kind == JinjaTokenKind.End ? "the end of the template" : $"'{token.Value}'";
            throw Error($"expected {(kind == JinjaTokenKind.Operator ? $"'{what}'" : what)} but found {found}", token.Offset);
        }
        return Advance();
    }

    private void ExpectName(string name)
    {
        if (Peek() is not { Kind: JinjaTokenKind.Name } token || token.Value != name)
        {
            throw Error($"expected '{name}' but found '{Peek().Value}'", Peek().Offset);
        }
        Advance();
    }

    private ChatTemplateException Error(string problem, int offset) => JinjaErrors.At(_source, offset, problem);
}
