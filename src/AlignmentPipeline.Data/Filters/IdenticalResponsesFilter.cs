using AlignmentPipeline.Data.Records;

namespace AlignmentPipeline.Data.Filters;

/// <summary>Drops a pair whose responses are equal after normalization.</summary>
internal sealed class IdenticalResponsesFilter : IPairFilter
{
    public string Name => "identical_responses";

    public FilterDecision Decide(PreferencePair pair) =>
        ContentId.Normalize(PairText.Of(pair, pair.Chosen)) == ContentId.Normalize(PairText.Of(pair, pair.Rejected))
            ? FilterDecision.Drop("identical_responses", "chosen and rejected are the same after normalization")
            : FilterDecision.Keep;
}
