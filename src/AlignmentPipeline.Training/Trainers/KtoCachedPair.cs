using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Tables;
using AlignmentPipeline.Modeling.ReferenceCache;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>
/// A cached pair with what KTO needs on top of DPO's columns: the reference log-probs of its prompt followed by the
/// completions of a donor pair (a ref-logprobs stage with <c>kto_mismatched: true</c> writes them).
/// </summary>
/// <param name="Pair">The pair.</param>
/// <param name="Reference">Its summed reference log-probs and completion token counts.</param>
/// <param name="Mismatched">The donor's id and the reference log-probs of the mismatched sequences.</param>
internal sealed record KtoCachedPair(PreferencePair Pair, ReferenceLogps Reference, MismatchedLogProbs Mismatched)
{
    /// <summary>
    /// The rows of one split of <paramref name="input"/>, in order. A cache without the mismatched columns is a user
    /// error naming the option that adds them.
    /// </summary>
    public static async Task<List<KtoCachedPair>> ReadAsync(IStorage storage, StageOutput input, string split, CancellationToken cancellationToken = default)
    {
        var pairs = await CachedPair.ReadAsync(storage, input, requireReference: true, split, cancellationToken);
        var rows = new List<KtoCachedPair>(pairs.Count);
        await foreach (var row in ParquetTableReader.ReadAllAsync(storage, input.SplitParts(split), cancellationToken))
        {
            if (!CachedPair.InSplit(input, row, split))
            {
                continue;
            }

            var (pair, reference) = pairs[rows.Count];
            var cached = ReferenceCacheTable.FromRow(row);
            if (pair.Id != cached.Pair.Id)
            {
                throw new InvalidDataException($"the cache of '{input.StageName}' changed while it was read (row {rows.Count}: '{pair.Id}')");
            }

            var mismatched = cached.Mismatched ?? throw new UserErrorException(
                $"input stage '{input.StageName}' ({input.Kind}) has no reference log-probs of mismatched completions (column " +
                $"'{MismatchedLogProbs.DonorIdColumn}' and its companions are absent), which KTO needs for its KL reference point; set " +
                "'kto_mismatched: true' on that ref-logprobs stage");
            if (!double.IsFinite(mismatched.ChosenLogp) || !double.IsFinite(mismatched.RejectedLogp))
            {
                throw new UserErrorException($"pair '{pair.Id}' ({pair.Source}) in '{input.StageName}' has no finite mismatched reference log-prob; recompute the cache");
            }

            rows.Add(new KtoCachedPair(pair, reference!, mismatched));
        }

        return rows;
    }
}
