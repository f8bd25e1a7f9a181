using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Data.Tests;

/// <summary>A temporary folder with local storage: writes input files, runs pipeline YAML, reads stage outputs back.</summary>
internal sealed class PipelineHarness : IDisposable
{
    public PipelineHarness()
    {
        Root = Directory.CreateTempSubdirectory("align-data-test-").FullName;
        Storage = new LocalStorage(Path.Combine(Root, "runs"));
    }

    public string Root { get; }

    public LocalStorage Storage { get; }

    public string WriteFile(string name, string text) => WriteFile(name, System.Text.Encoding.UTF8.GetBytes(text));

    public string WriteFile(string name, byte[] bytes)
    {
        string path = Path.Combine(Root, "in", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Runs a pipeline whose stages are given as YAML (indented under <c>stages:</c> by the caller).</summary>
    public async Task<Outputs> RunAsync(string stagesYaml, IEnumerable<StageKind>? kinds = null)
    {
        string yaml = $"name: test\nstages:\n{stagesYaml}";
        var spec = new PipelineLoader(new StageRegistry(kinds ?? DataStageKinds.All)).Load(yaml, Path.Combine(Root, "pipeline.yaml"));
        var record = await new PipelineRunner(new RunOptions { Storage = Storage }).RunAsync(spec, TestContext.Current.CancellationToken);
        var store = new RunStore(Storage);
        var outputs = new Dictionary<string, StageOutput>(StringComparer.Ordinal);
        foreach (var stage in record.Stages)
        {
            outputs[stage.Name] = await store.TryLoadOutputAsync(stage.Name, stage.Fingerprint, TestContext.Current.CancellationToken)
                ?? throw new InvalidOperationException($"stage {stage.Name} has no output");
        }

        return new Outputs(Storage, outputs, record);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    /// <summary>What a run produced, with readers for pairs, quarantine and stats.</summary>
    public sealed class Outputs(IStorage storage, IReadOnlyDictionary<string, StageOutput> outputs, RunRecord record)
    {
        public RunRecord Record { get; } = record;

        public StageOutput this[string stage] => outputs[stage];

        public Task<List<PreferencePair>> PairsAsync(string stage) => ReadAsync(outputs[stage].Parts, PreferenceTable.FromRow);

        public Task<List<PreferencePair>> PairsAsync(IEnumerable<string> parts) => ReadAsync(parts, PreferenceTable.FromRow);

        public Task<List<QuarantinedRow>> QuarantineAsync(string stage) =>
            ReadAsync(outputs[stage].Files.Where(f => f.StartsWith("quarantine/", StringComparison.Ordinal) && f.EndsWith(".parquet", StringComparison.Ordinal))
                .Select(outputs[stage].Path), QuarantinedRow.FromRow);

        public async Task<JsonObject> StatsAsync(string stage) => (JsonObject)await storage.ReadJsonAsync(outputs[stage].Path("stats.json"));

        private async Task<List<T>> ReadAsync<T>(IEnumerable<string> parts, Func<TableRow, T> map)
        {
            var rows = new List<T>();
            await foreach (var row in ParquetTableReader.ReadAllAsync(storage, parts, TestContext.Current.CancellationToken))
            {
                rows.Add(map(row));
            }

            return rows;
        }
    }
}
