using AlignmentPipeline.Modeling.Templates.Jinja;

namespace AlignmentPipeline.Modeling.Templates;

/// <summary>
/// A <c>chat_template</c> from tokenizer_config.json, rendered like Hugging Face's <c>apply_chat_template</c>
/// (trim_blocks and lstrip_blocks on) for a documented Jinja subset: <c>for</c>/<c>if</c>/<c>elif</c>/<c>else</c>/<c>set</c>,
/// <c>loop.*</c>, <c>messages</c>, <c>bos_token</c>, <c>eos_token</c>, <c>add_generation_prompt</c>,
/// <c>raise_exception</c>, <c>+</c> and <c>~</c>, comparisons, <c>and/or/not</c>, <c>in</c>, <c>is</c> tests, slices,
/// <c>.strip()</c> and friends, the filters trim/length/upper/lower/string/default, whitespace control. The template
/// is parsed on construction, so an unsupported construct fails early with its name, line and column.
/// </summary>
public sealed class JinjaChatTemplate : IChatTemplate
{
    private readonly string _source;
    private readonly IReadOnlyList<JinjaNode> _template;
    private readonly string _bosToken;
    private readonly string _eosToken;

    /// <param name="source">The Jinja template text.</param>
    /// <param name="bosToken">Value of <c>bos_token</c> (the tokenizer's BOS piece, e.g. "&lt;s&gt;").</param>
    /// <param name="eosToken">Value of <c>eos_token</c> (the tokenizer's EOS piece, e.g. "&lt;/s&gt;").</param>
    /// <exception cref="ChatTemplateException">The template uses an unsupported construct or has a syntax error.</exception>
    public JinjaChatTemplate(string source, string bosToken, string eosToken)
    {
        _source = source;
        _template = new JinjaParser(source).Parse();
        _bosToken = bosToken;
        _eosToken = eosToken;
    }

    /// <summary>Always "jinja".</summary>
    public string Name => "jinja";

    /// <inheritdoc />
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        var variables = new Dictionary<string, object?>
        {
            ["messages"] = messages.Select(m => (object?)new Dictionary<string, object?> { ["role"] = m.Role, ["content"] = m.Content }).ToList(),
            ["bos_token"] = _bosToken,
            ["eos_token"] = _eosToken,
            ["add_generation_prompt"] = addGenerationPrompt,
        };
        return new JinjaRenderer(_source).Render(_template, variables);
    }
}
