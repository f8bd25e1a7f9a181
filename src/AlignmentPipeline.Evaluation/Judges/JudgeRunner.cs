namespace AlignmentPipeline.Evaluation.Judges;

/// <summary>Runs a judge over many items with bounded parallelism, keeping the input order in the result.</summary>
public static class JudgeRunner
{
    /// <summary>Judges every request; results come back in the order of <paramref name="requests"/>.</summary>
    /// <param name="judge">The judge to ask.</param>
    /// <param name="requests">Items to judge.</param>
    /// <param name="maxParallelism">Items in flight at once. Default 8; an LLM judge additionally applies its own limit.</param>
    /// <param name="cancellationToken">Cancels the remaining items.</param>
    public static async Task<IReadOnlyList<JudgedItem>> JudgeAllAsync(
        IJudge judge,
        IReadOnlyList<JudgeRequest> requests,
        int maxParallelism = 8,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxParallelism, 1);
        var results = new JudgedItem[requests.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, requests.Count),
            new ParallelOptions { MaxDegreeOfParallelism = maxParallelism, CancellationToken = cancellationToken },
            async (index, token) =>
            {
                var outcome = await judge.JudgeAsync(requests[index], token).ConfigureAwait(false);
                results[index] = new JudgedItem(requests[index], outcome);
            }).ConfigureAwait(false);
        return results;
    }
}
