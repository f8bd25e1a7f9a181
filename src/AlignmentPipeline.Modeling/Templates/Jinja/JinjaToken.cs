namespace AlignmentPipeline.Modeling.Templates.Jinja;

/// <summary>Kinds of token in a Jinja template after lexing.</summary>
internal enum JinjaTokenKind
{
    /// <summary>Literal template text between tags.</summary>
    Text,

    /// <summary>Start of <c>{{</c> (an output tag).</summary>
    OutputStart,

    /// <summary>End of an output tag.</summary>
    OutputEnd,

    /// <summary>Start of <c>{%</c> (a statement tag).</summary>
    StatementStart,

    /// <summary>End of a statement tag.</summary>
    StatementEnd,

    /// <summary>A name or keyword.</summary>
    Name,

    /// <summary>A quoted string literal (unescaped value).</summary>
    String,

    /// <summary>A number literal: digits, optionally with a fraction ("2", "0.5").</summary>
    Number,

    /// <summary>An operator or punctuation: + - * / // % ~ == != &lt; &gt; &lt;= &gt;= = ( ) [ ] . , : |</summary>
    Operator,

    /// <summary>End of the template.</summary>
    End,
}

/// <summary>One token with its offset in the template source (for error positions).</summary>
internal sealed record JinjaToken(JinjaTokenKind Kind, string Value, int Offset);
