using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Models;

namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>
/// Scores encoded pairs in length-bucketed batches under a token budget, chosen and rejected of a pair always in the
/// same batch, in inference mode. With prefix sharing, pairs whose completions share their prompt ids go through
/// <see cref="PrefixSharedLogProbs"/> (chosen and rejected in the same prompt group, the prompt run once for both); the
/// rest, and everything without it, through <see cref="CompletionLogProbs"/>.
/// </summary>
internal sealed class PairScorer(ICausalLanguageModel model, int batchTokens, bool prefixSharing)
{
    /// <summary>Forward passes run so far (for benchmarks).</summary>
    public int Forwards { get; private set; }

    /// <summary>
    /// Token positions the forwards ran through the model, padding included (batch size × padded length summed over
    /// forwards; for benchmarks): what batching and prefix sharing save.
    /// </summary>
    public long Positions { get; private set; }

    /// <summary>Log-probs of every pair, in the order given.</summary>
    public IReadOnlyList<PairLogProbs> Score(IReadOnlyList<EncodedPair> pairs)
    {
        var results = new PairLogProbs?[pairs.Count];
        var shared = prefixSharing ? Enumerable.Range(0, pairs.Count).Where(i => pairs[i].SharesPrompt).ToList() : [];
        var unshared = Enumerable.Range(0, pairs.Count).Except(shared).ToList();

        foreach (var batch in LengthBuckets.Plan([.. unshared.Select(i => 2 * pairs[i].LongestSequence)], batchTokens))
        {
            var members = batch.Select(b => unshared[b]).ToList();
            var requests = members.SelectMany(i => new[]
            {
                new LogProbRequest(pairs[i].ChosenPromptIds, pairs[i].ChosenIds),
                new LogProbRequest(pairs[i].RejectedPromptIds, pairs[i].RejectedIds),
            }).ToList();
            var sequences = CompletionLogProbs.Compute(model, requests, LogProbMode.Inference).ToSequences();
            Forwards++;
            Positions += (long)requests.Count * requests.Max(r => r.PromptIds.Count + r.CompletionIds.Count);
            for (var k = 0; k < members.Count; k++)
            {
                results[members[k]] = new PairLogProbs(sequences[2 * k], sequences[2 * k + 1]);
            }
        }

        foreach (var group in PrefixSharedLogProbs.Plan(shared.Select(i => pairs[i]).ToList(), batchTokens))
        {
            var members = group.Select(g => shared[g]).ToList();
            var (scored, forwards, positions) = PrefixSharedLogProbs.Compute(model, members.Select(i => pairs[i]).ToList(), batchTokens);
            Forwards += forwards;
            Positions += positions;
            for (var k = 0; k < members.Count; k++)
            {
                results[members[k]] = scored[k];
            }
        }

        return results.Select(r => r!).ToList();
    }
}
