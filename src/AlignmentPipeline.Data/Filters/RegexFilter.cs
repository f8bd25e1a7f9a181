using System.Text.RegularExpressions;
using AlignmentPipeline.Data.Records;

namespace AlignmentPipeline.Data.Filters;

/// <summary>
/// Include patterns: keep a pair only if one matches any field. Exclude patterns: drop a pair if one matches any
/// field. Matching has a one-second timeout per field; a timeout drops the pair with reason <c>regex_timeout</c>.
/// </summary>
internal sealed class RegexFilter(IReadOnlyList<string> patterns, bool include) : IPairFilter
{
    private readonly Regex[] regexes = patterns.Select(p => new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))).ToArray();

    public string Name => include ? "include" : "exclude";

    public FilterDecision Decide(PreferencePair pair)
    {
        try
        {
            foreach (var (field, text) in new[] { ("prompt", pair.Prompt), ("chosen", pair.Chosen), ("rejected", pair.Rejected) })
            {
                string plain = PairText.Of(pair, text);
                for (int i = 0; i < regexes.Length; i++)
                {
                    if (regexes[i].IsMatch(plain))
                    {
                        return include ? FilterDecision.Keep : FilterDecision.Drop("excluded_pattern", $"'{patterns[i]}' matches '{field}'");
                    }
                }
            }
        }
        catch (RegexMatchTimeoutException e)
        {
            return FilterDecision.Drop("regex_timeout", $"'{e.Pattern}' took longer than {e.MatchTimeout.TotalSeconds:0} s");
        }

        return include ? FilterDecision.Drop("no_include_match", $"none of {regexes.Length} include patterns matches") : FilterDecision.Keep;
    }
}
