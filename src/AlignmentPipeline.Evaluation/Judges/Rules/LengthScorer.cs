namespace AlignmentPipeline.Evaluation.Judges.Rules;

/// <summary>Scores a response by its length in characters: the "longer is better" baseline judge.</summary>
public sealed class LengthScorer : IRuleScorer
{
    /// <inheritdoc />
    public string Name => "length";

    /// <inheritdoc />
    public double Score(string prompt, string response) => response.Length;
}
