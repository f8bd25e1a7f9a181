using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Models;

namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>
/// Scores encoded pairs in length-bucketed batches under a token budget, in inference mode, chosen and rejected of a
/// pair always in the same forward. Without prefix sharing a pair is two right-padded rows (prompt + chosen, prompt +
/// rejected) and batches are sorted by the pair's longer sequence through <see cref="CompletionLogProbs.Compute(ICausalLanguageModel, IReadOnlyList{LogProbRequest}, LogProbMode)"/>.
/// With prefix sharing a pair whose completions share their prompt ids is one packed row (prompt | chosen | rejected)
/// through <see cref="CompletionLogProbs.ComputeSharedPrompt"/>, sorted by that row's length: the prompt runs once and
/// the shorter completion is not padded to the longer (the row may be longer than the model's positions: only
/// prompt + longer completion must fit). Pairs that do not share the prompt (keep_end cut it differently, the prefix
/// rule fell back) take the unshared path.
/// </summary>
internal sealed class PairScorer(ICausalLanguageModel model, int batchTokens, bool prefixSharing)
{
    /// <summary>Forward passes run so far (for benchmarks).</summary>
    public int Forwards { get; private set; }

    /// <summary>
    /// Token positions the forwards ran through the model, padding included (rows × padded length summed over
    /// forwards; for benchmarks): what batching and prefix sharing save.
    /// </summary>
    public long Positions { get; private set; }

    /// <summary>The token budget of one forward.</summary>
    public int BatchTokens => batchTokens;

    /// <summary>Log-probs of every pair, in the order given.</summary>
    public IReadOnlyList<PairLogProbs> Score(IReadOnlyList<EncodedPair> pairs)
    {
        var results = new PairLogProbs?[pairs.Count];
        var shared = prefixSharing ? Enumerable.Range(0, pairs.Count).Where(i => pairs[i].SharesPrompt).ToList() : [];
        var unshared = Enumerable.Range(0, pairs.Count).Except(shared).ToList();

        foreach (var batch in LengthBuckets.Plan([.. unshared.Select(i => 2 * pairs[i].LongestSequence)], batchTokens))
        {
            var members = batch.Select(b => unshared[b]).ToList();
            var requests = members.SelectMany(i => new[] { pairs[i].Requests.Chosen, pairs[i].Requests.Rejected }).ToList();
            var sequences = CompletionLogProbs.Compute(model, requests, LogProbMode.Inference).ToSequences();
            Record(requests.Count, requests.Max(r => r.PromptIds.Count + r.CompletionIds.Count));
            for (var k = 0; k < members.Count; k++)
            {
                results[members[k]] = new PairLogProbs(sequences[2 * k], sequences[2 * k + 1]);
            }
        }

        foreach (var batch in LengthBuckets.Plan([.. shared.Select(i => PackedLength(pairs[i]))], batchTokens))
        {
            var members = batch.Select(b => shared[b]).ToList();
            var rows = members.Select(i => new SharedPromptRequest(pairs[i].PromptIds, [pairs[i].ChosenIds, pairs[i].RejectedIds])).ToList();
            var sequences = CompletionLogProbs.ComputeSharedPrompt(model, rows, LogProbMode.Inference).ToSequences();
            Record(rows.Count, rows.Max(r => r.PackedLength));
            for (var k = 0; k < members.Count; k++)
            {
                results[members[k]] = new PairLogProbs(sequences[2 * k], sequences[2 * k + 1]);
            }
        }

        return results.Select(r => r!).ToList();
    }

    private static int PackedLength(EncodedPair pair) => pair.PromptIds.Count + pair.ChosenIds.Count + pair.RejectedIds.Count;

    private void Record(int rows, int paddedLength)
    {
        Forwards++;
        Positions += (long)rows * paddedLength;
    }
}
