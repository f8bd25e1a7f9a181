using System.Text;

namespace AlignmentPipeline.Modeling.Templates;

/// <summary>
/// The built-in templates, written out in C# and tested to equal the Jinja rendering of the official templates:
/// <list type="bullet">
/// <item><c>none</c>: the message contents concatenated as they are (for plain-text prompts).</item>
/// <item><c>chatml</c>: <c>&lt;|im_start|&gt;{role}\n{content}&lt;|im_end|&gt;\n</c>; prompt <c>&lt;|im_start|&gt;assistant\n</c>.</item>
/// <item><c>llama2</c>: Llama-2-chat's <c>&lt;s&gt;[INST] … [/INST] answer &lt;/s&gt;</c> with an optional <c>&lt;&lt;SYS&gt;&gt;</c>
/// block in the first turn; roles must alternate user/assistant; the generation prompt is implicit.</item>
/// <item><c>llama3</c>: <c>&lt;|start_header_id|&gt;{role}&lt;|end_header_id|&gt;\n\n{content, trimmed}&lt;|eot_id|&gt;</c>,
/// BOS before the first turn; prompt <c>&lt;|start_header_id|&gt;assistant&lt;|end_header_id|&gt;\n\n</c>.</item>
/// <item><c>zephyr</c>: <c>&lt;|{role}|&gt;\n{content}{eos}\n</c> for system/user/assistant; prompt <c>&lt;|assistant|&gt;\n</c>.</item>
/// </list>
/// </summary>
internal sealed class BuiltInChatTemplate(string name, string bosToken, string eosToken) : IChatTemplate
{
    public string Name { get; } = name;

    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) => Name switch
    {
        "none" => string.Concat(messages.Select(m => m.Content)),
        "chatml" => ChatMl(messages, addGenerationPrompt),
        "llama2" => Llama2(messages),
        "llama3" => Llama3(messages, addGenerationPrompt),
        "zephyr" => Zephyr(messages, addGenerationPrompt),
        _ => throw new InvalidOperationException($"no built-in chat template '{Name}'"),
    };

    private static string ChatMl(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        var text = new StringBuilder();
        foreach (var message in messages)
        {
            text.Append("<|im_start|>").Append(message.Role).Append('\n').Append(message.Content).Append("<|im_end|>\n");
        }
        return addGenerationPrompt ? text.Append("<|im_start|>assistant\n").ToString() : text.ToString();
    }

    private string Llama2(IReadOnlyList<ChatMessage> messages)
    {
        var system = messages.Count > 0 && messages[0].Role == "system" ? messages[0].Content : null;
        var turns = system is null ? messages : messages.Skip(1).ToList();
        var text = new StringBuilder();
        for (var i = 0; i < turns.Count; i++)
        {
            if ((turns[i].Role == "user") != (i % 2 == 0))
            {
                throw new ChatTemplateException("chat template raised an error: Conversation roles must alternate user/assistant/user/assistant/...");
            }
            var content = i == 0 && system is not null ? $"<<SYS>>\n{system}\n<</SYS>>\n\n{turns[i].Content}" : turns[i].Content;
            if (turns[i].Role == "user")
            {
                text.Append(bosToken).Append("[INST] ").Append(content.Trim()).Append(" [/INST]");
            }
            else if (turns[i].Role == "assistant")
            {
                text.Append(' ').Append(content.Trim()).Append(' ').Append(eosToken);
            }
        }
        return text.ToString();
    }

    private string Llama3(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        var text = new StringBuilder(messages.Count > 0 ? bosToken : "");
        foreach (var message in messages)
        {
            text.Append("<|start_header_id|>").Append(message.Role).Append("<|end_header_id|>\n\n").Append(message.Content.Trim()).Append("<|eot_id|>");
        }
        return addGenerationPrompt ? text.Append("<|start_header_id|>assistant<|end_header_id|>\n\n").ToString() : text.ToString();
    }

    private string Zephyr(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        var text = new StringBuilder();
        foreach (var message in messages.Where(m => m.Role is "user" or "system" or "assistant"))
        {
            text.Append("<|").Append(message.Role).Append("|>\n").Append(message.Content).Append(eosToken).Append('\n');
        }
        return addGenerationPrompt && messages.Count > 0 ? text.Append("<|assistant|>\n").ToString() : text.ToString();
    }
}
