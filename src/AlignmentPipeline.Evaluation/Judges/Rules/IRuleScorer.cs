namespace AlignmentPipeline.Evaluation.Judges.Rules;

/// <summary>A deterministic scorer of one response; higher is better. Used by <see cref="RuleJudge"/>.</summary>
public interface IRuleScorer
{
    /// <summary>Registry name, e.g. <c>lexicon-sentiment</c>.</summary>
    string Name { get; }

    /// <summary>Scores <paramref name="response"/> to <paramref name="prompt"/>. NaN means "cannot score" and makes the item invalid.</summary>
    double Score(string prompt, string response);
}
