using AlignmentPipeline.Modeling.Tokenization;

namespace AlignmentPipeline.Evaluation.Stages;

/// <summary>Cuts generated ids at the first stop string.</summary>
internal static class StopStrings
{
    /// <summary>
    /// The text of <paramref name="ids"/> before the first occurrence of any of <paramref name="stops"/>, and the number of
    /// ids whose decoded text first contains it (all ids when no stop string occurs).
    /// </summary>
    public static (string Text, int Tokens) Cut(ITokenizer tokenizer, IReadOnlyList<int> ids, IReadOnlyList<string> stops)
    {
        var text = tokenizer.Decode(ids);
        var at = FirstStop(text, stops);
        if (at < 0)
        {
            return (text, ids.Count);
        }

        // The shortest prefix of ids whose text reaches the stop string: the tokens the model spent on the response.
        var tokens = ids.Count;
        for (var n = 1; n <= ids.Count; n++)
        {
            if (FirstStop(tokenizer.Decode([.. ids.Take(n)]), stops) >= 0)
            {
                tokens = n;
                break;
            }
        }

        return (text[..at], tokens);
    }

    private static int FirstStop(string text, IReadOnlyList<string> stops)
    {
        var first = -1;
        foreach (var stop in stops)
        {
            var at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (first < 0 || at < first))
            {
                first = at;
            }
        }

        return first;
    }
}
