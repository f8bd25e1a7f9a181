namespace AlignmentPipeline.Modeling.LogProbs;

/// <summary>Groups sequences of similar length into batches whose padded size stays under a token budget.</summary>
public static class LengthBuckets
{
    /// <summary>
    /// Batches of indexes into <paramref name="lengths"/>, longest first (an out-of-memory shows on the first batch).
    /// A batch's padded size, count × its longest length, stays ≤ <paramref name="tokenBudget"/>; a sequence longer
    /// than the budget gets a batch of its own. Deterministic: equal lengths keep their input order.
    /// </summary>
    public static IReadOnlyList<int[]> Plan(IReadOnlyList<int> lengths, int tokenBudget, int maxBatchSize = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokenBudget, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        var order = Enumerable.Range(0, lengths.Count).OrderByDescending(i => lengths[i]).ThenBy(i => i).ToList();
        var batches = new List<int[]>();
        var current = new List<int>();
        foreach (var index in order)
        {
            var longest = current.Count == 0 ? lengths[index] : lengths[current[0]];
            if (current.Count > 0 && ((long)(current.Count + 1) * longest > tokenBudget || current.Count == maxBatchSize))
            {
                batches.Add([.. current]);
                current.Clear();
            }

            current.Add(index);
        }

        if (current.Count > 0)
        {
            batches.Add([.. current]);
        }

        return batches;
    }
}
