namespace AlignmentPipeline.Training.Losses;

/// <summary>One problem found while validating options.</summary>
/// <param name="Key">The option's configuration key, e.g. <c>label_smoothing</c>; the caller prefixes its location.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
public sealed record OptionProblem(string Key, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Key}: {Message}";
}
