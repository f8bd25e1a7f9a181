namespace AlignmentPipeline.Modeling.Templates.Jinja;

// The syntax tree of the supported Jinja subset. Offsets point into the template source for error messages.

/// <summary>A statement or text in a template body.</summary>
internal abstract record JinjaNode;

internal sealed record TextNode(string Text) : JinjaNode;

internal sealed record OutputNode(JinjaExpr Value) : JinjaNode;

internal sealed record ForNode(string Target, JinjaExpr Iterable, IReadOnlyList<JinjaNode> Body, IReadOnlyList<JinjaNode> ElseBody) : JinjaNode;

internal sealed record IfNode(IReadOnlyList<(JinjaExpr Condition, IReadOnlyList<JinjaNode> Body)> Branches, IReadOnlyList<JinjaNode> ElseBody) : JinjaNode;

internal sealed record SetNode(string Name, JinjaExpr Value) : JinjaNode;

/// <summary>An expression.</summary>
internal abstract record JinjaExpr(int Offset);

internal sealed record LiteralExpr(object? Value, int Offset) : JinjaExpr(Offset);

internal sealed record ListExpr(IReadOnlyList<JinjaExpr> Items, int Offset) : JinjaExpr(Offset);

internal sealed record NameExpr(string Name, int Offset) : JinjaExpr(Offset);

internal sealed record AttributeExpr(JinjaExpr Target, string Name, int Offset) : JinjaExpr(Offset);

internal sealed record IndexExpr(JinjaExpr Target, JinjaExpr Index, int Offset) : JinjaExpr(Offset);

internal sealed record SliceExpr(JinjaExpr Target, JinjaExpr? Start, JinjaExpr? Stop, int Offset) : JinjaExpr(Offset);

internal sealed record CallExpr(JinjaExpr Callee, IReadOnlyList<JinjaExpr> Arguments, int Offset) : JinjaExpr(Offset);

internal sealed record FilterExpr(JinjaExpr Target, string Name, IReadOnlyList<JinjaExpr> Arguments, int Offset) : JinjaExpr(Offset);

internal sealed record TestExpr(JinjaExpr Target, string Name, bool Negated, int Offset) : JinjaExpr(Offset);

internal sealed record UnaryExpr(string Operator, JinjaExpr Operand, int Offset) : JinjaExpr(Offset);

internal sealed record BinaryExpr(string Operator, JinjaExpr Left, JinjaExpr Right, int Offset) : JinjaExpr(Offset);

internal sealed record ConditionalExpr(JinjaExpr Condition, JinjaExpr WhenTrue, JinjaExpr? WhenFalse, int Offset) : JinjaExpr(Offset);
