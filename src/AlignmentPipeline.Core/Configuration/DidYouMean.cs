namespace AlignmentPipeline.Core.Configuration;

/// <summary>Suggests the closest known name for a misspelled one.</summary>
internal static class DidYouMean
{
    public static string? Suggest(string given, IEnumerable<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in known)
        {
            int d = Distance(given.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (d < bestDistance)
            {
                bestDistance = d;
                best = candidate;
            }
        }

        int allowed = Math.Max(2, given.Length / 3);
        return best is not null && (bestDistance <= allowed || best.StartsWith(given, StringComparison.OrdinalIgnoreCase)
                                    || given.StartsWith(best, StringComparison.OrdinalIgnoreCase))
            ? best
            : null;
    }

    public static string Hint(string given, IEnumerable<string> known)
    {
        var list = known.ToList();
        string? suggestion = Suggest(given, list);
        return suggestion is not null ? $"did you mean '{suggestion}'?" : $"known: {string.Join(", ", list.Order(StringComparer.Ordinal))}";
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
