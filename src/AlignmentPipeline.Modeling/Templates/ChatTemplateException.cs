namespace AlignmentPipeline.Modeling.Templates;

/// <summary>
/// A chat template could not be parsed or rendered: an unsupported Jinja construct (named, with its line and column),
/// a syntax error, or the template's own <c>raise_exception</c>.
/// </summary>
public sealed class ChatTemplateException(string message) : Exception(message);
