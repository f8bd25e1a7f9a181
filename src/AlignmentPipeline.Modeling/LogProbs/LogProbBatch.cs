using static TorchSharp.torch;

namespace AlignmentPipeline.Modeling.LogProbs;

/// <summary>Completion log-probabilities of a batch; tensors live in the caller's dispose scope.</summary>
/// <param name="Sums">(B) float32: summed completion log-probs per sequence, for losses.</param>
/// <param name="TokenLogProbs">(B, Tc) float32: log p(completion token j | prefix), 0 after each sequence's end.</param>
/// <param name="Mask">(B, Tc) float32: 1 where <paramref name="TokenLogProbs"/> holds a real token.</param>
/// <param name="TokenCounts">Completion tokens per sequence.</param>
public sealed record LogProbBatch(Tensor Sums, Tensor TokenLogProbs, Tensor Mask, IReadOnlyList<int> TokenCounts)
{
    /// <summary>The same batch with its tensors moved to the dispose scope outside the current one.</summary>
    internal LogProbBatch MoveToOuterDisposeScope() =>
        this with { Sums = Sums.MoveToOuterDisposeScope(), TokenLogProbs = TokenLogProbs.MoveToOuterDisposeScope(), Mask = Mask.MoveToOuterDisposeScope() };

    /// <summary>
    /// The same numbers as plain arrays, one entry per sequence. Each sum is accumulated in float64 from the float32
    /// token values, so it does not inherit float32 rounding of long sums (one float32 ulp at −2560 is 2.4e-4).
    /// </summary>
    public IReadOnlyList<SequenceLogProb> ToSequences()
    {
        var tokens = TokenLogProbs.detach().cpu().data<float>().ToArray();
        var width = (int)TokenLogProbs.shape[1];
        return TokenCounts.Select((count, b) =>
        {
            var values = tokens.AsSpan(b * width, count).ToArray();
            return new SequenceLogProb(values.Sum(v => (double)v), values, count);
        }).ToArray();
    }
}

/// <summary>One sequence's completion log-probabilities.</summary>
/// <param name="Sum">Sum of <paramref name="TokenLogProbs"/>, accumulated in float64.</param>
/// <param name="TokenLogProbs">log p of each completion token given everything before it.</param>
/// <param name="TokenCount">Number of completion tokens.</param>
public sealed record SequenceLogProb(double Sum, float[] TokenLogProbs, int TokenCount);
