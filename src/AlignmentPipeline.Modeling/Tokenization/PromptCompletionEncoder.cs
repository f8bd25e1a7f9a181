namespace AlignmentPipeline.Modeling.Tokenization;

/// <summary>Token ids of one prompt/completion pair.</summary>
/// <param name="PromptIds">Prompt ids, starting with BOS when the rules ask for it.</param>
/// <param name="CompletionIds">Completion ids, ending with EOS when the rules ask for it.</param>
/// <param name="PrefixMismatch">
/// The prompt's own tokens were not a prefix of the joint tokens (a merge crossed the boundary), so the completion
/// was encoded on its own. Callers count these.
/// </param>
public sealed record PromptCompletionIds(IReadOnlyList<int> PromptIds, IReadOnlyList<int> CompletionIds, bool PrefixMismatch);

/// <summary>
/// The one rule for splitting a prompt/completion pair into ids, used by the reference cache, the trainers and
/// evaluation alike: encode the prompt, encode prompt + completion, and take the completion as the tail of the joint
/// ids. When the prompt ids are not a prefix of the joint ids, fall back to prompt ids + encode(completion) and report
/// it. BOS is prepended and EOS appended per <see cref="SpecialTokenRules"/>, never twice.
/// </summary>
public sealed class PromptCompletionEncoder(ITokenizer tokenizer, SpecialTokenRules rules)
{
    /// <summary>The tokenizer used.</summary>
    public ITokenizer Tokenizer { get; } = tokenizer;

    /// <summary>The BOS/EOS rules applied.</summary>
    public SpecialTokenRules Rules { get; } = rules;

    /// <summary>Encodes one pair; see the class summary for the rule.</summary>
    public PromptCompletionIds Encode(string prompt, string completion)
    {
        var promptIds = Tokenizer.Encode(prompt);
        var jointIds = Tokenizer.Encode(prompt + completion);
        var isPrefix = jointIds.Count >= promptIds.Count && promptIds.Select((id, i) => jointIds[i] == id).All(same => same);
        IReadOnlyList<int> completionIds = isPrefix ? [.. jointIds.Skip(promptIds.Count)] : Tokenizer.Encode(completion);
        return new PromptCompletionIds(WithBos(promptIds), WithEos(completionIds), PrefixMismatch: !isPrefix);
    }

    /// <summary>Encodes a prompt alone (for generation): BOS per the rules, no EOS.</summary>
    public IReadOnlyList<int> EncodePrompt(string prompt) => WithBos(Tokenizer.Encode(prompt));

    private IReadOnlyList<int> WithBos(IReadOnlyList<int> ids) =>
        Rules.AddBos && Tokenizer.BosId is { } bos && (ids.Count == 0 || ids[0] != bos) ? [bos, .. ids] : ids;

    private IReadOnlyList<int> WithEos(IReadOnlyList<int> ids) =>
        Rules.AddEos && Tokenizer.EosId is { } eos && (ids.Count == 0 || ids[^1] != eos) ? [.. ids, eos] : ids;
}
