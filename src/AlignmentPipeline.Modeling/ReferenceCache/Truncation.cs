namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>How a prompt + completion longer than <c>max_length</c> is cut, as TRL's <c>truncation_mode</c>.</summary>
public enum Truncation
{
    /// <summary>Keep the prompt and the start of the completion; the completion's tail is cut (default).</summary>
    KeepStart,

    /// <summary>Keep the last <c>max_length</c> tokens: the prompt's start is cut, the completion is kept whole.</summary>
    KeepEnd,
}
