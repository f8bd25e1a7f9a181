using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;

namespace AlignmentPipeline.Core.Runs;

/// <summary>Reads and writes run records and completed stage outputs in one storage.</summary>
public sealed class RunStore(IStorage storage)
{
    public IStorage Storage { get; } = storage;

    public Task SaveAsync(RunRecord record, CancellationToken cancellationToken = default) =>
        Storage.WriteJsonAsync($"runs/{record.RunId}.json", record.ToJson(), cancellationToken);

    /// <summary>Every run record, newest first.</summary>
    public async Task<IReadOnlyList<RunRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        var records = new List<RunRecord>();
        await foreach (var entry in Storage.ListAsync("runs", cancellationToken))
        {
            if (entry.Path.EndsWith(".json", StringComparison.Ordinal))
            {
                records.Add(RunRecord.FromJson(await Storage.ReadJsonAsync(entry.Path, cancellationToken)));
            }
        }

        return records.OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.RunId, StringComparer.Ordinal).ToList();
    }

    public async Task<RunRecord> LoadAsync(string runId, CancellationToken cancellationToken = default)
    {
        string path = $"runs/{runId}.json";
        if (!await Storage.ExistsAsync(path, cancellationToken))
        {
            var known = (await ListAsync(cancellationToken)).Select(r => r.RunId).Take(5).ToList();
            throw new UserErrorException($"no run '{runId}' in storage '{Storage.Uri}'" +
                                         (known.Count > 0 ? $"; newest runs: {string.Join(", ", known)}" : "; it holds no runs yet"));
        }

        return RunRecord.FromJson(await Storage.ReadJsonAsync(path, cancellationToken));
    }

    /// <summary>The stage output for a fingerprint, or null when its manifest does not exist (incomplete or never run).</summary>
    public async Task<StageOutput?> TryLoadOutputAsync(string stage, string fingerprint, CancellationToken cancellationToken = default)
    {
        string prefix = $"stages/{stage}/{fingerprint}";
        string manifestPath = $"{prefix}/{Manifest.FileName}";
        if (!await Storage.ExistsAsync(manifestPath, cancellationToken))
        {
            return null;
        }

        var manifest = Manifest.FromJson(await Storage.ReadJsonAsync(manifestPath, cancellationToken));
        return new StageOutput(stage, manifest.Kind, fingerprint, prefix, manifest.Files.Select(f => f.Path).ToList(), manifest.Metadata);
    }

    public async Task<Manifest> LoadManifestAsync(StageOutput output, CancellationToken cancellationToken = default) =>
        Manifest.FromJson(await Storage.ReadJsonAsync(output.Path(Manifest.FileName), cancellationToken));
}
