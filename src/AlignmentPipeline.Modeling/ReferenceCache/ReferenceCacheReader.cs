using System.Runtime.CompilerServices;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>Reads a <c>ref-logprobs</c> stage output. Trainers check the key first with <see cref="ReferenceCacheGuard"/>.</summary>
public static class ReferenceCacheReader
{
    /// <summary>The cache key recorded in a <c>ref-logprobs</c> output's manifest.</summary>
    /// <exception cref="Core.UserErrorException">The output is not a reference cache.</exception>
    public static ReferenceCacheKey Key(StageOutput output) =>
        output.Metadata[ReferenceCacheKey.ComponentsField] is System.Text.Json.Nodes.JsonObject components
            ? ReferenceCacheKey.FromJson(components)
            : throw new Core.UserErrorException($"stage '{output.StageName}' ({output.Kind}) is not a reference log-prob cache");

    /// <summary>
    /// Every cached pair in input order (parts in task order), optionally only those of one <paramref name="split"/>
    /// (<c>train</c>, <c>eval</c>; null: all rows).
    /// </summary>
    public static async IAsyncEnumerable<CachedPair> ReadAsync(
        IStorage storage, StageOutput output, string? split = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var row in ParquetTableReader.ReadAllAsync(storage, output.Parts, cancellationToken))
        {
            var pair = ReferenceCacheTable.FromRow(row);
            if (split is null || pair.Split == split)
            {
                yield return pair;
            }
        }
    }
}
