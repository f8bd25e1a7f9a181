namespace AlignmentPipeline.Modeling.Tokenization;

/// <summary>What <see cref="TokenizerLoader"/> found: the tokenizer, the BOS/EOS rules its files ask for, and a chat template.</summary>
/// <param name="Tokenizer">The tokenizer.</param>
/// <param name="DefaultRules">
/// BOS as the files say (tokenizer_config.json <c>add_bos_token</c>, else the post-processor; llama2.c, GGUF llama and
/// byte tokenizers: true). EOS after completions: true, as preference trainers append it.
/// </param>
/// <param name="ChatTemplate">The Jinja <c>chat_template</c> of tokenizer_config.json, or null.</param>
/// <param name="Format">What was loaded: "llama2c", "gguf", "byte", "hf-byte-level-bpe" or "hf-sentencepiece-bpe".</param>
public sealed record LoadedTokenizer(ITokenizer Tokenizer, SpecialTokenRules DefaultRules, string? ChatTemplate, string Format);
