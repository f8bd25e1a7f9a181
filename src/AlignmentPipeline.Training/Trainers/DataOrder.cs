using AlignmentPipeline.Training.Optimization;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>
/// The order examples are visited in: epoch e is a Fisher–Yates shuffle drawn from a generator seeded by (seed, e),
/// and the epochs are concatenated into one stream. Step s takes the next <c>perStep</c> examples of the stream,
/// so the whole data position is the step number: a resumed run continues exactly where it stopped.
/// </summary>
internal sealed class DataOrder(int count, long seed)
{
    private int cachedEpoch = -1;
    private int[] cachedPermutation = [];

    /// <summary>Indexes of the examples of optimizer step <paramref name="step"/> (0-based).</summary>
    public int[] StepExamples(long step, int perStep)
    {
        var result = new int[perStep];
        for (var i = 0; i < perStep; i++)
        {
            var position = step * perStep + i;
            result[i] = Permutation((int)(position / count))[(int)(position % count)];
        }

        return result;
    }

    /// <summary>Fractional epochs after <paramref name="steps"/> completed steps.</summary>
    public double Epoch(long steps, int perStep) => (double)steps * perStep / count;

    private int[] Permutation(int epoch)
    {
        if (epoch != cachedEpoch)
        {
            var random = new CapturableRandom(seed * 1_000_003 + epoch);
            cachedPermutation = Enumerable.Range(0, count).ToArray();
            random.Shuffle(cachedPermutation);
            cachedEpoch = epoch;
        }

        return cachedPermutation;
    }
}
