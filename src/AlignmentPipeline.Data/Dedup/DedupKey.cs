using AlignmentPipeline.Data.Records;

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

/// <summary>The text of a pair a <see cref="DedupKey"/> looks at.</summary>
internal static class DedupKeyText
{
    public static string Of(PreferencePair pair, DedupKey key) => key switch
    {
        DedupKey.Pair => $"{ContentId.Normalize(pair.Prompt)}\u0000{ContentId.Normalize(pair.Chosen)}\u0000{ContentId.Normalize(pair.Rejected)}",
        DedupKey.PromptChosen => $"{ContentId.Normalize(pair.Prompt)}\u0000{ContentId.Normalize(pair.Chosen)}",
        _ => ContentId.Normalize(pair.Prompt),
    };
}
