using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>A preference pair with the reference log-probs a <c>ref-logprobs</c> stage cached for it, when there are any.</summary>
/// <param name="Pair">The pair.</param>
/// <param name="Reference">Summed reference log-probs and completion token counts, or null for a plain pairs input.</param>
internal sealed record CachedPair(PreferencePair Pair, ReferenceLogps? Reference)
{
    /// <summary>The cache's columns.</summary>
    public const string RefChosenColumn = "ref_chosen_logp";
    public const string RefRejectedColumn = "ref_rejected_logp";
    public const string ChosenTokensColumn = "chosen_tokens";
    public const string RejectedTokensColumn = "rejected_tokens";
    public const string SplitColumn = "split";

    /// <summary>
    /// The rows of one split of <paramref name="input"/> (its <c>train/</c> or <c>eval/</c> folder; every row when the
    /// input is not split); with <paramref name="requireReference"/>, a row without reference values is an error.
    /// </summary>
    public static async Task<List<CachedPair>> ReadAsync(IStorage storage, StageOutput input, bool requireReference, string split, CancellationToken cancellationToken = default)
    {
        var rows = new List<CachedPair>();
        await foreach (var row in ParquetTableReader.ReadAllAsync(storage, input.SplitParts(split), cancellationToken))
        {
            if (!InSplit(input, row, split))
            {
                continue;
            }

            var pair = PreferenceTable.FromRow(row);
            var hasReference = row.Has(RefChosenColumn) && row.Has(RefRejectedColumn) && row.Has(ChosenTokensColumn) && row.Has(RejectedTokensColumn);
            if (!hasReference)
            {
                if (requireReference)
                {
                    throw new UserErrorException(
                        $"input stage '{input.StageName}' ({input.Kind}) has no cached reference log-probs (columns {RefChosenColumn}, " +
                        $"{RefRejectedColumn}, {ChosenTokensColumn}, {RejectedTokensColumn}); make the input a ref-logprobs stage, or set " +
                        "live_reference: true to compute them with the reference model during training");
                }

                rows.Add(new CachedPair(pair, null));
                continue;
            }

            var reference = new ReferenceLogps(row.Double(RefChosenColumn), row.Double(RefRejectedColumn), row.Int(ChosenTokensColumn), row.Int(RejectedTokensColumn));
            if (!double.IsFinite(reference.Chosen) || !double.IsFinite(reference.Rejected))
            {
                throw new UserErrorException($"pair '{pair.Id}' ({pair.Source}) in '{input.StageName}' has no finite reference log-prob; recompute the cache");
            }

            rows.Add(new CachedPair(pair, reference));
        }

        return rows;
    }

    /// <summary>
    /// Whether a row read from <see cref="StageOutput.SplitParts"/> of <paramref name="split"/> belongs to it: a reference
    /// cache of a split input keeps each row's split in a column; unsplit rows count as train.
    /// </summary>
    public static bool InSplit(StageOutput input, TableRow row, string split) =>
        input.IsSplit || (row.Has(SplitColumn) && row.String(SplitColumn) is { Length: > 0 } rowSplit ? rowSplit : "train") == split;
}
