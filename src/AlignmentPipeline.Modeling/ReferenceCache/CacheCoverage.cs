using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>
/// How completely a reference cache covers the stage it was computed from: every pair of that input must be either
/// cached or in the cache's <c>quarantine/</c> (over-long prompts), and nothing else may be cached. A part deleted or
/// truncated after the cache was written shows up here as missing ids.
/// </summary>
/// <param name="InputStage">The name of the stage whose pairs were scored.</param>
/// <param name="InputPairs">Pairs in that stage's data parts (every split).</param>
/// <param name="Missing">Ids of input pairs that are neither cached nor quarantined, in input order.</param>
/// <param name="Extra">Ids that are cached but not in the input, in cache order.</param>
public sealed record CacheCoverage(string InputStage, long InputPairs, IReadOnlyList<string> Missing, IReadOnlyList<string> Extra)
{
    /// <summary>Ids a message names before it says "…".</summary>
    public const int IdsShown = 5;

    /// <summary>Compares the ids of <paramref name="cache"/> with those of <paramref name="input"/>, the output it was computed from.</summary>
    /// <param name="storage">Where both outputs live.</param>
    /// <param name="cache">The ref-logprobs output.</param>
    /// <param name="input">Its input output.</param>
    /// <param name="cachedIds">The ids of the cache's rows (the caller has read them already).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public static async Task<CacheCoverage> CompareAsync(
        IStorage storage, StageOutput cache, StageOutput input, IEnumerable<string> cachedIds, CancellationToken cancellationToken = default)
    {
        var cached = cachedIds as IReadOnlySet<string> ?? cachedIds.ToHashSet(StringComparer.Ordinal);
        var quarantined = new HashSet<string>(StringComparer.Ordinal);
        var quarantineParts = cache.Files.Where(f => f.StartsWith("quarantine/", StringComparison.Ordinal) && f.EndsWith(".parquet", StringComparison.Ordinal)).Select(cache.Path);
        await foreach (var row in ParquetTableReader.ReadAllAsync(storage, quarantineParts, cancellationToken))
        {
            quarantined.Add(QuarantinedRow.FromRow(row).Source);
        }

        var inputIds = new HashSet<string>(StringComparer.Ordinal);
        var missing = new List<string>();
        await foreach (var row in ParquetTableReader.ReadAllAsync(storage, InputParts.Of(input).Select(p => p.Path), cancellationToken))
        {
            var id = row.String("id")!;
            inputIds.Add(id);
            if (!cached.Contains(id) && !quarantined.Contains(id))
            {
                missing.Add(id);
            }
        }

        return new CacheCoverage(input.StageName, inputIds.Count, missing, cached.Where(id => !inputIds.Contains(id)).ToList());
    }

    /// <summary>
    /// Finds the output <paramref name="cache"/> was computed from (named in its metadata, fingerprint in its manifest)
    /// and compares the two with <see cref="CompareAsync"/>.
    /// </summary>
    /// <exception cref="UserErrorException">That output is gone from <paramref name="storage"/>.</exception>
    public static async Task<CacheCoverage> OfAsync(IStorage storage, StageOutput cache, IEnumerable<string> cachedIds, CancellationToken cancellationToken = default)
    {
        var input = await InputOfAsync(storage, cache, cancellationToken);
        return await CompareAsync(storage, cache, input, cachedIds, cancellationToken);
    }

    /// <summary>The complete output of the stage <paramref name="cache"/> scored, as its manifest recorded it.</summary>
    /// <exception cref="UserErrorException">That output has no manifest any more (deleted, or never completed).</exception>
    public static async Task<StageOutput> InputOfAsync(IStorage storage, StageOutput cache, CancellationToken cancellationToken = default)
    {
        var store = new RunStore(storage);
        var inputName = cache.Metadata[ReferenceCacheMetadata.InputStage]!.GetValue<string>();
        var manifest = await store.LoadManifestAsync(cache, cancellationToken);
        return await store.TryLoadOutputAsync(inputName, manifest.Inputs[inputName], cancellationToken)
               ?? throw new UserErrorException($"the input stage '{inputName}' of '{cache.StageName}' has no complete output any more; rerun the pipeline");
    }

    /// <summary>True when every input pair is cached or quarantined and nothing else is cached.</summary>
    public bool Complete => Missing.Count == 0 && Extra.Count == 0;

    /// <summary>
    /// Throws unless <see cref="Complete"/>: a <see cref="UserErrorException"/> (exit 2) for <paramref name="consumer"/>
    /// naming how many ids are missing (and extra), the first few, and the fix: recompute the cache.
    /// </summary>
    public void Require(string consumer, string cacheStage)
    {
        if (Complete)
        {
            return;
        }

        var problems = new List<string>();
        if (Missing.Count > 0)
        {
            problems.Add($"{Missing.Count} of the {InputPairs} pairs of its input stage '{InputStage}' are neither cached nor quarantined ({Ids(Missing)})");
        }

        if (Extra.Count > 0)
        {
            problems.Add($"{Extra.Count} cached pairs are not in '{InputStage}' ({Ids(Extra)})");
        }

        throw new UserErrorException(
            $"{consumer}: the reference cache '{cacheStage}' is incomplete: {string.Join("; ", problems)}. Recompute it: rerun the " +
            $"ref-logprobs stage with 'align run <pipeline> --force {cacheStage}'");
    }

    private static string Ids(IReadOnlyList<string> ids) =>
        string.Join(", ", ids.Take(IdsShown)) + (ids.Count > IdsShown ? ", …" : "");
}
