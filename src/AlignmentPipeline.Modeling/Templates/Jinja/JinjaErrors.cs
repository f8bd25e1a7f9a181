namespace AlignmentPipeline.Modeling.Templates.Jinja;

/// <summary>Builds <see cref="ChatTemplateException"/>s that name a line and column of the template source.</summary>
internal static class JinjaErrors
{
    public static ChatTemplateException At(string source, int offset, string problem)
    {
        offset = Math.Clamp(offset, 0, source.Length);
        var line = 1 + source.AsSpan(0, offset).Count('\n');
        var lineStart = offset == 0 ? 0 : source.LastIndexOf('\n', offset - 1) + 1;
        var column = offset - lineStart + 1;
        return new ChatTemplateException($"chat template: {problem} at line {line}, column {column}.");
    }
}
