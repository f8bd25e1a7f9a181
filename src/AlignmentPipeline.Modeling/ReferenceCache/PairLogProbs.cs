using AlignmentPipeline.Modeling.LogProbs;

namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>The reference log-probs of one pair's two completions.</summary>
internal sealed record PairLogProbs(SequenceLogProb Chosen, SequenceLogProb Rejected)
{
    /// <summary>
    /// The chosen completion's float32 token log-probs summed in double: sums of hundreds of tokens reach magnitudes
    /// where float32 accumulation alone rounds by more than 1e-5.
    /// </summary>
    public double ChosenSum => DoubleSum(Chosen);

    /// <summary>The rejected completion's token log-probs summed in double.</summary>
    public double RejectedSum => DoubleSum(Rejected);

    /// <summary>Token log-probs of one sequence summed in double.</summary>
    public static double DoubleSum(SequenceLogProb sequence) => sequence.TokenLogProbs.Sum(p => (double)p);
}
