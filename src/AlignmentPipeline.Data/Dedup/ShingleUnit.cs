namespace AlignmentPipeline.Data.Dedup;

/// <summary>What a near-dedup n-gram counts: words (runs between spaces of the normalized text) or characters.</summary>
public enum ShingleUnit
{
    /// <summary>Word n-grams.</summary>
    Word,

    /// <summary>Character n-grams.</summary>
    Char,
}
