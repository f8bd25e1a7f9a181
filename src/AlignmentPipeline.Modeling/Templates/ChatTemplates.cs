using AlignmentPipeline.Modeling.Tokenization;

namespace AlignmentPipeline.Modeling.Templates;

/// <summary>Finds a chat template by name, or builds one from a tokenizer_config.json Jinja template.</summary>
public static class ChatTemplates
{
    /// <summary>The built-in template names.</summary>
    public static IReadOnlyList<string> BuiltInNames { get; } = ["none", "chatml", "llama2", "llama3", "zephyr"];

    /// <summary>
    /// A built-in template. <paramref name="bosToken"/> and <paramref name="eosToken"/> default to the template's
    /// conventional tokens: "&lt;|begin_of_text|&gt;"/"&lt;|eot_id|&gt;" for llama3, "&lt;s&gt;"/"&lt;/s&gt;" otherwise.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not built in; the message lists the names that are.</exception>
    public static IChatTemplate BuiltIn(string name, string? bosToken = null, string? eosToken = null)
    {
        if (!BuiltInNames.Contains(name))
        {
            throw new ArgumentException(
                $"unknown chat template '{name}'; built-in templates are {string.Join(", ", BuiltInNames)}, or use 'tokenizer' for the tokenizer's chat_template.",
                nameof(name));
        }
        var llama3 = name == "llama3";
        return new BuiltInChatTemplate(name, bosToken ?? (llama3 ? "<|begin_of_text|>" : "<s>"), eosToken ?? (llama3 ? "<|eot_id|>" : "</s>"));
    }

    /// <summary>The name that selects the tokenizer's own <c>chat_template</c> in <see cref="Resolve"/>.</summary>
    public const string TokenizerTemplateName = "tokenizer";

    /// <summary>
    /// Resolves a configured template name: <see cref="TokenizerTemplateName"/> gives the Jinja <c>chat_template</c> of
    /// <paramref name="tokenizer"/> with its BOS/EOS pieces as <c>bos_token</c>/<c>eos_token</c>; any other name is a
    /// built-in template with its conventional tokens.
    /// </summary>
    /// <exception cref="ArgumentException">The name is unknown, or "tokenizer" is asked for but the tokenizer has no chat_template.</exception>
    public static IChatTemplate Resolve(string name, LoadedTokenizer tokenizer)
    {
        if (name != TokenizerTemplateName)
        {
            return BuiltIn(name);
        }
        var source = tokenizer.ChatTemplate ?? throw new ArgumentException(
            $"template '{TokenizerTemplateName}' was asked for, but the {tokenizer.Format} tokenizer has no chat_template; " +
            $"choose one of {string.Join(", ", BuiltInNames)}.", nameof(name));
        string Special(int? id) => id is { } value ? tokenizer.Tokenizer.Piece(value) : "";
        return FromJinja(source, Special(tokenizer.Tokenizer.BosId), Special(tokenizer.Tokenizer.EosId));
    }

    /// <summary>A tokenizer_config.json <c>chat_template</c>; see <see cref="JinjaChatTemplate"/> for the supported subset.</summary>
    public static IChatTemplate FromJinja(string source, string bosToken, string eosToken) => new JinjaChatTemplate(source, bosToken, eosToken);
}
