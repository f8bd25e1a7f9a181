using System.Globalization;
using AlignmentPipeline.Data.Records;

namespace AlignmentPipeline.Data.Filters;

/// <summary>Drops a pair when any field has more than <c>maxRatio</c> of its characters non-printable.</summary>
internal sealed class NonPrintableFilter(double maxRatio) : IPairFilter
{
    public string Name => "non_printable";

    public FilterDecision Decide(PreferencePair pair)
    {
        foreach (var (field, text) in new[] { ("prompt", pair.Prompt), ("chosen", pair.Chosen), ("rejected", pair.Rejected) })
        {
            double ratio = Ratio(PairText.Of(pair, text));
            if (ratio > maxRatio)
            {
                return FilterDecision.Drop("non_printable", $"{ratio:P1} of '{field}' is non-printable (limit {maxRatio:P1})");
            }
        }

        return FilterDecision.Keep;
    }

    internal static double Ratio(string text)
    {
        if (text.Length == 0)
        {
            return 0;
        }

        int bad = 0;
        foreach (char c in text)
        {
            if (c is '\n' or '\r' or '\t')
            {
                continue;
            }

            bad += char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned
                or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate ? 1 : 0;
        }

        return (double)bad / text.Length;
    }
}
