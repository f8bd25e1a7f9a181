using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Data;
using AlignmentPipeline.Data.Tables;
using AlignmentPipeline.Modeling;

namespace AlignmentPipeline.Evaluation.Tests.Stages;

/// <summary>A temporary folder with local storage that runs pipeline YAML with the data, modeling and evaluation kinds.</summary>
internal sealed class StagePipeline : IDisposable
{
    public StagePipeline()
    {
        Root = Directory.CreateTempSubdirectory("align-eval-stages-").FullName;
        Storage = new LocalStorage(Path.Combine(Root, "runs"));
    }

    public string Root { get; }

    public LocalStorage Storage { get; }

    public string WriteFile(string name, string text)
    {
        var path = Path.Combine(Root, "in", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Runs a pipeline whose stages are given as YAML (indented under <c>stages:</c> by the caller).</summary>
    public async Task<Outputs> RunAsync(string stagesYaml)
    {
        var registry = new StageRegistry([.. DataStageKinds.All, .. ModelingStageKinds.All, .. EvaluationStageKinds.All]);
        var spec = new PipelineLoader(registry).Load($"name: test\nstages:\n{stagesYaml}", Path.Combine(Root, "pipeline.yaml"));
        var record = await new PipelineRunner(new RunOptions { Storage = Storage }).RunAsync(spec, TestContext.Current.CancellationToken);
        var store = new RunStore(Storage);
        var outputs = new Dictionary<string, StageOutput>(StringComparer.Ordinal);
        foreach (var stage in record.Stages)
        {
            outputs[stage.Name] = await store.TryLoadOutputAsync(stage.Name, stage.Fingerprint, TestContext.Current.CancellationToken)
                ?? throw new InvalidOperationException($"stage {stage.Name} has no output ({stage.Status}); run error: {record.Error}");
        }

        return new Outputs(Storage, outputs);
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

    /// <summary>What a run produced.</summary>
    public sealed class Outputs(IStorage storage, IReadOnlyDictionary<string, StageOutput> outputs)
    {
        public StageOutput this[string stage] => outputs[stage];

        public async Task<JsonObject> JsonAsync(string stage, string file) =>
            (JsonObject)await storage.ReadJsonAsync(outputs[stage].Path(file), TestContext.Current.CancellationToken);

        public Task<List<TableRow>> RowsAsync(string stage) => RowsAsync(outputs[stage].Parts);

        public async Task<List<TableRow>> RowsAsync(IEnumerable<string> paths)
        {
            var rows = new List<TableRow>();
            await foreach (var row in ParquetTableReader.ReadAllAsync(storage, paths, TestContext.Current.CancellationToken))
            {
                rows.Add(row);
            }

            return rows;
        }
    }
}
