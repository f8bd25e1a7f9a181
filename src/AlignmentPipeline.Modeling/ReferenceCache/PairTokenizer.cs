using System.Text.Json;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Templates;
using AlignmentPipeline.Modeling.Tokenization;

namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>
/// Turns a preference pair into token ids: renders the chat template (the prompt with a generation prompt; each
/// completion as the rendered full conversation minus the rendered prompt), encodes with the shared
/// <see cref="PromptCompletionEncoder"/> rule and truncates to <c>max_length</c>. The one rule of the reference cache:
/// the stage, its verifier and every reader that recomputes a cached pair live (<see cref="ForCache"/>) use it.
/// </summary>
public sealed class PairTokenizer
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true };
    private readonly PromptCompletionEncoder encoder;
    private readonly IChatTemplate template;
    private readonly int maxLength;
    private readonly Truncation truncation;

    internal PairTokenizer(PromptCompletionEncoder encoder, IChatTemplate template, int maxLength, Truncation truncation) =>
        (this.encoder, this.template, this.maxLength, this.truncation) = (encoder, template, maxLength, truncation);

    /// <summary>
    /// The tokenization a cache recorded in its key: its template, BOS/EOS rules, <c>max_length</c> and truncation,
    /// with <paramref name="tokenizer"/> (the caller checks that it is the cache's, e.g. by <see cref="ITokenizer.ContentHash"/>).
    /// </summary>
    public static PairTokenizer ForCache(ITokenizer tokenizer, ReferenceCacheKey key) => new(
        new PromptCompletionEncoder(tokenizer, new SpecialTokenRules(key.AddBos, key.AddEos)),
        ChatTemplates.BuiltIn(key.Template),
        key.MaxLength,
        key.Truncation == "keep_end" ? Truncation.KeepEnd : Truncation.KeepStart);

    /// <summary>The chosen and rejected sequences of <paramref name="pair"/>, exactly as the cache scored them.</summary>
    /// <exception cref="FormatException">The stage would have quarantined the pair; the message gives its reason and detail.</exception>
    public (LogProbRequest Chosen, LogProbRequest Rejected) EncodeRequests(PreferencePair pair)
    {
        var (encoded, reason, detail) = Encode(pair);
        return encoded?.Requests ?? throw new FormatException($"pair '{pair.Id}' cannot be scored ({reason}): {detail}");
    }

    /// <summary>The ids of a pair, or the quarantine reason and detail when it cannot be scored.</summary>
    internal (EncodedPair? Pair, string? Reason, string? Detail) Encode(PreferencePair pair)
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
