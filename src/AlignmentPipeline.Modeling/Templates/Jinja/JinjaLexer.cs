using System.Text;

namespace AlignmentPipeline.Modeling.Templates.Jinja;

/// <summary>
/// Splits a Jinja template into text and tag tokens, applying whitespace control as Hugging Face's chat template
/// environment does: <c>trim_blocks</c> and <c>lstrip_blocks</c> on, plus explicit <c>{%-</c>, <c>-%}</c>, <c>{{-</c>,
/// <c>-}}</c>, <c>{#-</c>, <c>-#}</c>; <c>{%+</c> keeps leading whitespace. Comments are dropped.
/// </summary>
internal sealed class JinjaLexer(string source)
{
    private static readonly string[] Operators = ["//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ".", ",", ":", "|"];

    private readonly List<JinjaToken> _tokens = [];

    public IReadOnlyList<JinjaToken> Tokenize()
    {
        var position = 0;
        var stripNextText = false;
        var trimNextNewline = false;
        while (position <= source.Length)
        {
            var tagStart = NextTagStart(position);
            var raw = source[position..(tagStart < 0 ? source.Length : tagStart)];
            var text = raw;
            if (stripNextText)
            {
                text = text.TrimStart();
            }
            else if (trimNextNewline)
            {
                text = text.StartsWith("\r\n", StringComparison.Ordinal) ? text[2..] : text.StartsWith('\n') ? text[1..] : text;
            }
            if (tagStart < 0)
            {
                AddText(text, position);
                break;
            }

            var kind = source[tagStart + 1];
            var marker = tagStart + 2 < source.Length ? source[tagStart + 2] : '\0';
            if (marker == '-')
            {
                text = text.TrimEnd();
            }
            else if (marker != '+' && kind is '%' or '#')
            {
                text = text[..^Math.Min(text.Length, LstripLength(raw, position))];
            }
            AddText(text, position);

            var contentStart = tagStart + 2 + (marker is '-' or '+' ? 1 : 0);
            var (contentEnd, closeEnd) = kind == '#' ? CommentEnd(tagStart, contentStart) : LexTag(kind, tagStart, contentStart);
            stripNextText = contentEnd > contentStart && source[contentEnd - 1] == '-';
            trimNextNewline = kind is '%' or '#';
            position = closeEnd;
        }
        _tokens.Add(new JinjaToken(JinjaTokenKind.End, "", source.Length));
        return _tokens;
    }

    private int NextTagStart(int from)
    {
        for (var i = source.IndexOf('{', from); i >= 0 && i + 1 < source.Length; i = source.IndexOf('{', i + 1))
        {
            if (source[i + 1] is '{' or '%' or '#')
            {
                return i;
            }
        }
        return -1;
    }

    // lstrip_blocks: spaces and tabs between the start of a line and a block tag are removed. Decided on the raw
    // text, before trim_blocks took its first newline; returns how many trailing characters to drop.
    private int LstripLength(string raw, int rawStart)
    {
        var lineStart = raw.LastIndexOf('\n') + 1;
        var atLineStart = lineStart > 0 || rawStart == 0 || source[rawStart - 1] == '\n';
        return atLineStart && raw[lineStart..].All(c => c is ' ' or '\t') ? raw.Length - lineStart : 0;
    }

    private void AddText(string text, int offset)
    {
        if (text.Length > 0)
        {
            _tokens.Add(new JinjaToken(JinjaTokenKind.Text, text, offset));
        }
    }

    private (int ContentEnd, int CloseEnd) CommentEnd(int tagStart, int contentStart)
    {
        var close = source.IndexOf("#}", contentStart, StringComparison.Ordinal);
        return close < 0 ? throw Error("comment is not closed with '#}'", tagStart) : (close, close + 2);
    }

    private (int ContentEnd, int CloseEnd) LexTag(char kind, int tagStart, int contentStart)
    {
        var (startKind, endKind, close) = kind == '{'
            ? (JinjaTokenKind.OutputStart, JinjaTokenKind.OutputEnd, "}}")
            : (JinjaTokenKind.StatementStart, JinjaTokenKind.StatementEnd, "%}");
        _tokens.Add(new JinjaToken(startKind, source[tagStart..contentStart], tagStart));
        var i = contentStart;
        while (true)
        {
            if (i >= source.Length)
            {
                throw Error($"tag is not closed with '{close}'", tagStart);
            }
            var c = source[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (string.CompareOrdinal(source, i, close, 0, 2) == 0 || (c == '-' && string.CompareOrdinal(source, i + 1, close, 0, 2) == 0))
            {
                var closeStart = c == '-' ? i + 1 : i;
                _tokens.Add(new JinjaToken(endKind, close, closeStart));
                return (closeStart, closeStart + 2);
            }
            else if (c is '\'' or '"')
            {
                i = LexString(i);
            }
            else if (char.IsDigit(c))
            {
                var start = i;
                while (i < source.Length && char.IsDigit(source[i]))
                {
                    i++;
                }
                if (i + 1 < source.Length && source[i] == '.' && char.IsDigit(source[i + 1]))
                {
                    for (i++; i < source.Length && char.IsDigit(source[i]); i++)
                    {
                    }
                }
                _tokens.Add(new JinjaToken(JinjaTokenKind.Number, source[start..i], start));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < source.Length && (char.IsLetterOrDigit(source[i]) || source[i] == '_'))
                {
                    i++;
                }
                _tokens.Add(new JinjaToken(JinjaTokenKind.Name, source[start..i], start));
            }
            else
            {
                var op = Operators.FirstOrDefault(o => string.CompareOrdinal(source, i, o, 0, o.Length) == 0)
                    ?? throw Error($"unexpected character '{c}'", i);
                _tokens.Add(new JinjaToken(JinjaTokenKind.Operator, op, i));
                i += op.Length;
            }
        }
    }

    private int LexString(int start)
    {
        var quote = source[start];
        var value = new StringBuilder();
        for (var i = start + 1; i < source.Length; i++)
        {
            var c = source[i];
            if (c == quote)
            {
                _tokens.Add(new JinjaToken(JinjaTokenKind.String, value.ToString(), start));
                return i + 1;
            }
            if (c == '\\' && i + 1 < source.Length)
            {
                i++;
                value.Append(source[i] switch
                {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    var other => other,
                });
            }
            else
            {
                value.Append(c);
            }
        }
        throw Error("string literal is not closed", start);
    }

    private ChatTemplateException Error(string problem, int offset) => JinjaErrors.At(source, offset, problem);
}
