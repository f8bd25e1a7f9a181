using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>
/// Checks a reference cache against its inputs and its model (<c>align verify-cache</c>): every input pair is either
/// cached or quarantined and nothing else is cached; no value is NaN, infinite or positive; the model and tokenizer
/// files still have the recorded key; and a seeded random sample, recomputed live with the same model, tokenizer and
/// settings, matches the cached sums within a tolerance and the cached token counts exactly.
/// </summary>
public static class CacheVerifier
{
    /// <summary>Largest log-prob sum accepted as "not positive" (float32 rounding of a near-certain token).</summary>
    public const double PositiveSlack = 1e-5;

    /// <summary>Verifies stage <paramref name="stage"/> of run <paramref name="runId"/> (or <c>latest</c>) in <paramref name="storage"/>.</summary>
    /// <exception cref="UserErrorException">The run, stage or its output does not exist, or the stage is not a reference cache.</exception>
    public static async Task<CacheVerification> VerifyAsync(IStorage storage, string runId, string stage, CacheVerifierOptions options, CancellationToken cancellationToken = default)
    {
        var store = new RunStore(storage);
        var record = runId == "latest"
            ? (await store.ListAsync(cancellationToken)).FirstOrDefault() ?? throw new UserErrorException($"storage '{storage.Uri}' holds no runs yet")
            : await store.LoadAsync(runId, cancellationToken);
        var stageRecord = record.Stages.FirstOrDefault(s => s.Name == stage)
            ?? throw new UserErrorException($"run {record.RunId} has no stage '{stage}'; stages: {string.Join(", ", record.Stages.Select(s => s.Name))}");
        var cache = await store.TryLoadOutputAsync(stage, stageRecord.Fingerprint, cancellationToken)
            ?? throw new UserErrorException($"stage '{stage}' of run {record.RunId} has no complete output ({stageRecord.Status}); rerun the pipeline");
        var key = ReferenceCacheReader.Key(cache);
        var input = await CacheCoverage.InputOfAsync(storage, cache, cancellationToken);
        return await VerifyAsync(storage, cache, input, key, options, cancellationToken);
    }

    /// <summary>Verifies a cache output against the input output it was computed from.</summary>
    public static async Task<CacheVerification> VerifyAsync(
        IStorage storage, StageOutput cache, StageOutput input, ReferenceCacheKey key, CacheVerifierOptions options, CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
        var rows = new List<CachedPair>();
        await foreach (var row in ReferenceCacheReader.ReadAsync(storage, cache, cancellationToken: cancellationToken))
        {
            rows.Add(row with { Pair = row.Pair with { Prompt = "", Chosen = "", Rejected = "" } });
            CheckValues(row, problems);
        }

        await CheckIdsAsync(storage, cache, input, rows, problems, cancellationToken);

        var modelPath = cache.Metadata[ReferenceCacheMetadata.ModelPath]!.GetValue<string>();
        var tokenizerPath = cache.Metadata[ReferenceCacheMetadata.TokenizerPath]!.GetValue<string>();
        if (!File.Exists(modelPath) && !Directory.Exists(modelPath))
        {
            problems.Add($"the model '{modelPath}' the cache was computed with is gone; cannot recompute a sample");
            return new CacheVerification(rows.Count, 0, 0, problems);
        }

        var settings = Options(modelPath, tokenizerPath, key, options.Device);
        var current = ReferenceCacheKey.Compute(modelPath, settings);
        if (current.Key != key.Key)
        {
            problems.Add($"the model or tokenizer files changed since the cache was computed ({string.Join("; ", current.Differences(key))} (now vs cached))");
        }

        var sample = Sample(rows.Count, options.Sample, options.Seed);
        var wanted = sample.Select(i => rows[i].Pair.Id).ToHashSet(StringComparer.Ordinal);
        var pairs = new Dictionary<string, CachedPair>(StringComparer.Ordinal);
        await foreach (var row in ReferenceCacheReader.ReadAsync(storage, cache, cancellationToken: cancellationToken))
        {
            if (wanted.Contains(row.Pair.Id))
            {
                pairs.TryAdd(row.Pair.Id, row);
            }
        }

        var maxDifference = Recompute(settings, modelPath, [.. pairs.Values], options.Tolerance, problems);
        return new CacheVerification(rows.Count, pairs.Count, maxDifference, problems);
    }

    private static void CheckValues(CachedPair row, List<string> problems)
    {
        foreach (var (name, value) in new[] { ("ref_chosen_logp", row.RefChosenLogp), ("ref_rejected_logp", row.RefRejectedLogp) })
        {
            if (!double.IsFinite(value))
            {
                problems.Add($"pair {row.Pair.Id}: {name} is {value}");
            }
            else if (value > PositiveSlack)
            {
                problems.Add($"pair {row.Pair.Id}: {name} is {value:G6}, but a log-probability is never positive");
            }
        }
    }

    private static async Task CheckIdsAsync(IStorage storage, StageOutput cache, StageOutput input, List<CachedPair> rows, List<string> problems, CancellationToken cancellationToken)
    {
        var coverage = await CacheCoverage.CompareAsync(storage, cache, input, rows.Select(r => r.Pair.Id), cancellationToken);
        problems.AddRange(coverage.Missing.Select(id => $"pair {id} of input stage '{input.StageName}' is neither cached nor quarantined"));
        problems.AddRange(coverage.Extra.Select(id => $"pair {id} is cached but not in input stage '{input.StageName}'"));
    }

    private static double Recompute(RefLogProbsOptions settings, string modelPath, IReadOnlyList<CachedPair> sample, double tolerance, List<string> problems)
    {
        if (sample.Count == 0)
        {
            return 0;
        }

        using var reference = ReferenceScorer.Load(modelPath, settings);
        var encoded = new List<(CachedPair Row, EncodedPair Pair)>();
        foreach (var row in sample)
        {
            var (pair, reason, detail) = reference.Tokenizer.Encode(row.Pair);
            if (pair is null)
            {
                problems.Add($"pair {row.Pair.Id} is cached but the tokenizer now rejects it ({reason}: {detail})");
                continue;
            }

            if (pair.ChosenIds.Count != row.ChosenTokens || pair.RejectedIds.Count != row.RejectedTokens)
            {
                problems.Add($"pair {row.Pair.Id}: cached token counts {row.ChosenTokens}/{row.RejectedTokens} (chosen/rejected) " +
                             $"but the tokenizer gives {pair.ChosenIds.Count}/{pair.RejectedIds.Count}");
            }

            encoded.Add((row, pair));
        }

        var live = reference.Scorer.Score(encoded.Select(e => e.Pair).ToList());
        var maxDifference = 0.0;
        for (var k = 0; k < encoded.Count; k++)
        {
            var row = encoded[k].Row;
            foreach (var (name, cachedValue, liveValue) in new[] { ("chosen", row.RefChosenLogp, live[k].ChosenSum), ("rejected", row.RefRejectedLogp, live[k].RejectedSum) })
            {
                var difference = Math.Abs(cachedValue - liveValue);
                maxDifference = double.IsNaN(difference) ? double.PositiveInfinity : Math.Max(maxDifference, difference);
                if (!(difference <= tolerance))
                {
                    problems.Add($"pair {row.Pair.Id}: cached {name} log-prob {cachedValue:G9} differs from the live {liveValue:G9} by {difference:G3} (tolerance {tolerance:G3})");
                }
            }
        }

        return maxDifference;
    }

    /// <summary>Distinct row indexes drawn with a seeded partial Fisher–Yates shuffle.</summary>
    private static IReadOnlyList<int> Sample(int count, int sample, int seed)
    {
        var indexes = Enumerable.Range(0, count).ToArray();
        var random = new Random(seed);
        var take = Math.Min(sample, count);
        for (var i = 0; i < take; i++)
        {
            var j = random.Next(i, count);
            (indexes[i], indexes[j]) = (indexes[j], indexes[i]);
        }

        return indexes[..take];
    }

    private static RefLogProbsOptions Options(string modelPath, string tokenizerPath, ReferenceCacheKey key, string device) => new()
    {
        Model = modelPath,
        Tokenizer = tokenizerPath,
        Template = key.Template,
        AddBos = key.AddBos,
        AddEos = key.AddEos,
        MaxLength = key.MaxLength,
        Truncation = key.Truncation == "keep_end" ? Truncation.KeepEnd : Truncation.KeepStart,
        Dtype = key.DType,
        Device = device,
    };
}
