using System.Text.Json;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Modeling.Templates;

namespace AlignmentPipeline.Evaluation.Stages;

/// <summary>
/// A pair's prompt as text rendered through a chat template for a model (the prompt with a generation prompt, as the
/// reference cache's <c>PairTokenizer</c> renders it), or a field flattened for a judge to read.
/// </summary>
internal static class PairText
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true };

    /// <summary>The text a model continues: a text prompt as written under 'none', else the rendered prompt turn(s).</summary>
    /// <exception cref="FormatException">A message list does not parse.</exception>
    /// <exception cref="ChatTemplateException">The template rejects the conversation.</exception>
    public static string RenderPrompt(IChatTemplate template, string prompt, string format) =>
        template.Name == "none" && format == PreferencePair.TextFormat
            ? prompt
            : template.Render(Messages(prompt, format, "user"), addGenerationPrompt: template.Name != "none");

    /// <summary>Plain text for a judge: text as written; a message list as its contents (with role labels when there are several).</summary>
    public static string Plain(string value, string format)
    {
        if (format != PreferencePair.MessagesFormat)
        {
            return value;
        }

        var messages = Messages(value, format, "user");
        return messages.Count == 1 ? messages[0].Content : string.Join("\n\n", messages.Select(m => $"{m.Role}: {m.Content}"));
    }

    private static IReadOnlyList<ChatMessage> Messages(string value, string format, string role)
    {
        if (format != PreferencePair.MessagesFormat)
        {
            return [new ChatMessage(role, value)];
        }

        try
        {
            return JsonSerializer.Deserialize<List<MessageJson>>(value, JsonOptions)?.Select(m => new ChatMessage(m.Role ?? role, m.Content ?? "")).ToList()
                ?? throw new FormatException("a message list is null");
        }
        catch (JsonException e)
        {
            throw new FormatException($"a message list does not parse: {e.Message}", e);
        }
    }

    private sealed record MessageJson(string? Role, string? Content);
}
