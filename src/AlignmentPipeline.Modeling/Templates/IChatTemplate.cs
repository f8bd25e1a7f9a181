namespace AlignmentPipeline.Modeling.Templates;

/// <summary>Renders a conversation to the text a model was trained on.</summary>
public interface IChatTemplate
{
    /// <summary>The template's name: a built-in name, or "jinja" for a tokenizer_config.json template.</summary>
    string Name { get; }

    /// <summary>
    /// Renders <paramref name="messages"/>; with <paramref name="addGenerationPrompt"/> the text ends with the header
    /// that starts an assistant turn.
    /// </summary>
    /// <exception cref="ChatTemplateException">The template raised an error (e.g. roles do not alternate).</exception>
    string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt);
}
