using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Tables;
using AlignmentPipeline.Modeling.ReferenceCache;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>
/// What a trainer reads from its input: the pairs of one split of any stage of preference pairs, or the rows of a
/// reference cache (read through the modeling layer's <see cref="ReferenceCacheReader"/>, checked complete against the
/// stage the cache scored and finite).
/// </summary>
internal static class TrainingPairs
{
    /// <summary>The split a row without one belongs to (the rows of an unsplit input).</summary>
    public const string Train = "train";

    /// <summary>The held-out split of a split stage.</summary>
    public const string Eval = "eval";

    private const string SplitColumn = "split";

    /// <summary>
    /// The pairs of one split of <paramref name="input"/> (its <c>train/</c> or <c>eval/</c> folder; of an unsplit input,
    /// every row counts as train). A reference cache of a split input keeps each row's split in a column, read here too.
    /// </summary>
    public static async Task<List<PreferencePair>> ReadAsync(IStorage storage, StageOutput input, string split, CancellationToken cancellationToken = default)
    {
        var pairs = new List<PreferencePair>();
        await foreach (var row in ParquetTableReader.ReadAllAsync(storage, input.SplitParts(split), cancellationToken))
        {
            if (input.IsSplit || SplitOf(row.Has(SplitColumn) ? row.String(SplitColumn) : null) == split)
            {
                pairs.Add(PreferenceTable.FromRow(row));
            }
        }

        return pairs;
    }

    /// <summary>
    /// The train and eval rows of a reference cache, after checking that it covers every pair of the stage it scored
    /// (<see cref="CacheCoverage"/>; a cache that lost rows is a user error naming them) and that each value is finite.
    /// Rows of other splits are left out.
    /// </summary>
    /// <exception cref="UserErrorException">The cache is incomplete or holds a non-finite value.</exception>
    public static async Task<(List<CachedPair> Train, List<CachedPair> Eval)> ReadCacheAsync(
        StageContext stage, StageOutput cache, CancellationToken cancellationToken = default)
    {
        var rows = await ReferenceCacheReader.ReadAsync(stage.Storage, cache, cancellationToken: cancellationToken).ToListAsync(cancellationToken);
        var coverage = await CacheCoverage.OfAsync(stage.Storage, cache, rows.Select(r => r.Pair.Id), cancellationToken);
        coverage.Require(stage.StageName, cache.StageName);
        if (rows.FirstOrDefault(r => !double.IsFinite(r.RefChosenLogp) || !double.IsFinite(r.RefRejectedLogp)) is { } row)
        {
            throw new UserErrorException($"pair '{row.Pair.Id}' ({row.Pair.Source}) in '{cache.StageName}' has no finite reference log-prob; recompute the cache");
        }

        return ([.. rows.Where(r => SplitOf(r.Split) == Train)], [.. rows.Where(r => SplitOf(r.Split) == Eval)]);
    }

    private static string SplitOf(string? split) => split is { Length: > 0 } ? split : Train;
}
