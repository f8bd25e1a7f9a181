using AlignmentPipeline.Data.Records;

namespace AlignmentPipeline.Data.Filters;

/// <summary>Drops a pair whose longer response is more than <c>maxRatio</c> times the shorter (in characters; an empty response counts as 1).</summary>
internal sealed class LengthRatioFilter(double maxRatio) : IPairFilter
{
    public string Name => "length_ratio";

    public FilterDecision Decide(PreferencePair pair)
    {
        int chosen = PairText.Of(pair, pair.Chosen).Length, rejected = PairText.Of(pair, pair.Rejected).Length;
        double ratio = (double)Math.Max(Math.Max(chosen, rejected), 1) / Math.Max(Math.Min(chosen, rejected), 1);
        return ratio > maxRatio
            ? FilterDecision.Drop("length_ratio", $"responses of {chosen} and {rejected} characters differ by a factor {ratio:0.##} > {maxRatio}")
            : FilterDecision.Keep;
    }
}
