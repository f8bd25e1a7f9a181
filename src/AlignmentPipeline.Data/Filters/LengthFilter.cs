using AlignmentPipeline.Data.Records;

namespace AlignmentPipeline.Data.Filters;

/// <summary>
/// Bounds the length of prompt + response for both responses, in characters (UTF-16 code units) or tokens: those of
/// <paramref name="countTokens"/> (a named tokenizer) when given, else white-space separated words.
/// </summary>
internal sealed class LengthFilter(string name, int? min, int? max, bool tokens, Func<string, int>? countTokens = null) : IPairFilter
{
    public string Name => name;

    public FilterDecision Decide(PreferencePair pair)
    {
        string prompt = PairText.Of(pair, pair.Prompt);
        int promptLength = Measure(prompt);
        int chosen = promptLength + Measure(PairText.Of(pair, pair.Chosen));
        int rejected = promptLength + Measure(PairText.Of(pair, pair.Rejected));
        string unit = tokens ? "tokens" : "characters";
        if (min is { } low && Math.Min(chosen, rejected) < low)
        {
            return FilterDecision.Drop(tokens ? "too_few_tokens" : "too_short", $"prompt + response has {Math.Min(chosen, rejected)} {unit}, below {low}");
        }

        if (max is { } high && Math.Max(chosen, rejected) > high)
        {
            return FilterDecision.Drop(tokens ? "too_many_tokens" : "too_long", $"prompt + response has {Math.Max(chosen, rejected)} {unit}, above {high}");
        }

        return FilterDecision.Keep;
    }

    private int Measure(string text) => !tokens ? text.Length : countTokens?.Invoke(text) ?? WhitespaceTokens(text);

    internal static int WhitespaceTokens(string text)
    {
        int count = 0;
        bool inToken = false;
        foreach (char c in text)
        {
            bool space = char.IsWhiteSpace(c);
            count += !space && !inToken ? 1 : 0;
            inToken = !space;
        }

        return count;
    }
}
