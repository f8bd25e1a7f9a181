namespace AlignmentPipeline.Data.Dedup;

/// <summary>Which normalized fields make two pairs duplicates (or, for near dedup, which text is compared).</summary>
public enum DedupKey
{
    /// <summary>Prompt, chosen and rejected together.</summary>
    Pair,

    /// <summary>Prompt and chosen (the same answer to the same prompt, whatever it was compared against).</summary>
    PromptChosen,

    /// <summary>The prompt alone (keeps one pair per prompt).</summary>
    Prompt,
}
