using System.Text.Json;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Modeling.Templates;
using AlignmentPipeline.Modeling.Tokenization;

namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>
/// Turns a preference pair into token ids: renders the chat template (the prompt with a generation prompt; each
/// completion as the rendered full conversation minus the rendered prompt), encodes with the shared
/// <see cref="PromptCompletionEncoder"/> rule and truncates to <c>max_length</c>.
/// </summary>
internal sealed class PairTokenizer(PromptCompletionEncoder encoder, IChatTemplate template, int maxLength, Truncation truncation)
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true };

    /// <summary>The ids of a pair, or the quarantine reason and detail when it cannot be scored.</summary>
    public (EncodedPair? Pair, string? Reason, string? Detail) Encode(PreferencePair pair)
    {
        string prompt, chosen, rejected;
        try
        {
            (prompt, chosen) = Render(pair, pair.Chosen);
            (_, rejected) = Render(pair, pair.Rejected);
        }
        catch (Exception e) when (e is JsonException or ChatTemplateException or FormatException)
        {
            return (null, "template_error", e.Message);
        }

        var c = encoder.Encode(prompt, chosen);
        var r = encoder.Encode(prompt, rejected);
        var promptIds = c.PromptIds;
        var mismatch = c.PrefixMismatch || r.PrefixMismatch;
        if (truncation == Truncation.KeepStart)
        {
            if (promptIds.Count >= maxLength)
            {
                return (null, "prompt_too_long", $"the prompt has {promptIds.Count} tokens; max_length {maxLength} leaves no room for a completion");
            }

            var room = maxLength - promptIds.Count;
            return (new EncodedPair(promptIds, Take(c.CompletionIds, room), Take(r.CompletionIds, room), promptIds, r.PromptIds, mismatch), null, null);
        }

        var longest = Math.Max(c.CompletionIds.Count, r.CompletionIds.Count);
        if (longest >= maxLength)
        {
            return (null, "completion_too_long", $"a completion has {longest} tokens; with keep_end, max_length {maxLength} leaves no prompt token");
        }

        var chosenPrompt = KeepEnd(c.PromptIds, maxLength - c.CompletionIds.Count);
        var rejectedPrompt = KeepEnd(r.PromptIds, maxLength - r.CompletionIds.Count);
        return (new EncodedPair(chosenPrompt, c.CompletionIds, r.CompletionIds, chosenPrompt, rejectedPrompt, mismatch), null, null);
    }

    private (string Prompt, string Completion) Render(PreferencePair pair, string completion)
    {
        if (template.Name == "none" && pair.Format == PreferencePair.TextFormat)
        {
            return (pair.Prompt, completion);
        }

        var promptMessages = Messages(pair, pair.Prompt, "user");
        var renderedPrompt = template.Render(promptMessages, addGenerationPrompt: template.Name != "none");
        var full = template.Render([.. promptMessages, .. Messages(pair, completion, "assistant")], addGenerationPrompt: false);
        if (!full.StartsWith(renderedPrompt, StringComparison.Ordinal))
        {
            throw new FormatException($"template '{template.Name}' renders the conversation so that it does not start with the rendered prompt");
        }

        return (renderedPrompt, full[renderedPrompt.Length..]);
    }

    private static IReadOnlyList<ChatMessage> Messages(PreferencePair pair, string value, string role) =>
        pair.Format == PreferencePair.MessagesFormat
            ? JsonSerializer.Deserialize<List<MessageJson>>(value, JsonOptions)?.Select(m => new ChatMessage(m.Role ?? role, m.Content ?? "")).ToList()
              ?? throw new FormatException("a message list is null")
            : [new ChatMessage(role, value)];

    private static IReadOnlyList<int> Take(IReadOnlyList<int> ids, int count) => ids.Count <= count ? ids : [.. ids.Take(count)];

    /// <summary>The last <paramref name="count"/> ids, keeping a leading BOS in front when the start is cut.</summary>
    private IReadOnlyList<int> KeepEnd(IReadOnlyList<int> ids, int count)
    {
        if (ids.Count <= count)
        {
            return ids;
        }

        var bos = encoder.Tokenizer.BosId;
        return bos is { } b && ids[0] == b && count > 1 ? [b, .. ids.Skip(ids.Count - count + 1)] : [.. ids.Skip(ids.Count - count)];
    }

    private sealed record MessageJson(string? Role, string? Content);
}
