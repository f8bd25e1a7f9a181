using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Data.Tables;
using AlignmentPipeline.Modeling.ReferenceCache;

namespace AlignmentPipeline.Training.Tests.Trainers;

/// <summary>Damages a real reference cache the way a lost or truncated part would: rewrites its first part without some rows.</summary>
internal static class CacheTampering
{
    /// <summary>
    /// Rewrites the first part of <paramref name="cache"/> without the rows at <paramref name="indexes"/> (of that part)
    /// and returns their ids. <paramref name="ktoMismatched"/> keeps the KL columns of a <c>kto_mismatched</c> cache.
    /// </summary>
    public static async Task<IReadOnlyList<string>> DropRowsAsync(IStorage storage, StageOutput cache, bool ktoMismatched, params int[] indexes)
    {
        var part = cache.Parts[0];
        var rows = new List<CachedPair>();
        await foreach (var row in ParquetTableReader.ReadAllAsync(storage, [part]))
        {
            rows.Add(ReferenceCacheTable.FromRow(row));
        }

        var dropped = indexes.Select(i => rows[i].Pair.Id).ToList();
        await using var writer = await ParquetTableWriter<CachedPair>.CreateAsync(storage, part, ReferenceCacheTable.Schema(perToken: false, ktoMismatched));
        foreach (var row in rows.Where((_, i) => !indexes.Contains(i)))
        {
            await writer.WriteAsync(row);
        }

        await writer.CompleteAsync();
        return dropped;
    }
}
