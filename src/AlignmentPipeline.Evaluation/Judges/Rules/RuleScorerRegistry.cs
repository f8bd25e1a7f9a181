namespace AlignmentPipeline.Evaluation.Judges.Rules;

/// <summary>Rule scorers by name, so a pipeline can say <c>judge: { type: rule, scorer: lexicon-sentiment }</c>.</summary>
public sealed class RuleScorerRegistry
{
    private readonly Dictionary<string, Func<IRuleScorer>> factories = new(StringComparer.Ordinal);

    /// <summary>A registry holding the built-in scorers: <c>length</c> and <c>lexicon-sentiment</c>.</summary>
    public static RuleScorerRegistry CreateDefault()
    {
        var registry = new RuleScorerRegistry();
        registry.Register("length", () => new LengthScorer());
        registry.Register("lexicon-sentiment", () => new LexiconSentimentScorer());
        return registry;
    }

    /// <summary>Registered names, sorted.</summary>
    public IReadOnlyList<string> Names => factories.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Registers a scorer factory under <paramref name="name"/>; a name can be registered once.</summary>
    public void Register(string name, Func<IRuleScorer> factory)
    {
        if (!factories.TryAdd(name, factory))
            throw new ArgumentException($"a rule scorer named '{name}' is already registered", nameof(name));
    }

    /// <summary>Creates the scorer registered as <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such scorer; the message lists the known names.</exception>
    public IRuleScorer Create(string name) =>
        factories.TryGetValue(name, out var factory)
            ? factory()
            : throw new KeyNotFoundException(
                $"unknown rule scorer '{name}'; known scorers: {string.Join(", ", Names)}. " +
                "Register custom scorers with RuleScorerRegistry.Register.");
}
