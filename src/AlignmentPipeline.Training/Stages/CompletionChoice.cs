namespace AlignmentPipeline.Training.Stages;

/// <summary>Which response of each preference pair SFT trains on (YAML <c>completion</c>).</summary>
public enum CompletionChoice
{
    /// <summary><c>chosen</c>: the preferred response (the usual SFT on preference data).</summary>
    Chosen,

    /// <summary><c>rejected</c>: the dispreferred response.</summary>
    Rejected,

    /// <summary><c>both</c>: each pair gives two examples.</summary>
    Both,

    /// <summary>
    /// <c>random</c>: one response per pair, picked by a hash of the seed and the pair id, so the SFT model sees
    /// chosen and rejected text equally often and becomes a balanced DPO reference. The pick does not depend on row order.
    /// </summary>
    Random,
}
