namespace AlignmentPipeline.Data.Ingest;

/// <summary>How <see cref="IngestFormat.Scored"/> rows become pairs. A pair always needs chosen score − rejected score &gt; margin.</summary>
public enum ScoredPairing
{
    /// <summary>The highest-scored completion against the lowest (the first in list order on equal scores): one pair per row.</summary>
    BestVsWorst,

    /// <summary>The highest-scored completion against one drawn uniformly from those below it by more than the margin, seeded per prompt: one pair per row.</summary>
    BestVsRandom,

    /// <summary>Every ordered pair whose scores differ by more than the margin: up to n(n−1)/2 pairs per row.</summary>
    AllAboveMargin,
}
