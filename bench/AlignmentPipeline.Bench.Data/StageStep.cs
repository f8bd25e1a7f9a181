using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Data;

namespace AlignmentPipeline.Bench.Data;

/// <summary>
/// One measured step: the pipeline up to that stage through the real runner on local storage. Earlier stages are
/// reused from the store (same fingerprints), so only the step's own stage computes in this process.
/// </summary>
internal static class StageStep
{
    public static async Task<JsonObject> RunAsync(BenchOptions options, string step, CancellationToken cancellationToken = default)
    {
        string inputs = string.Join(", ", options.InputPaths.Select(p => $"\"{p}\""));
        var stages = new (string Name, string Yaml)[]
        {
            (BenchSteps.Ingest, $"    kind: ingest\n    inputs: [{inputs}]\n    format: canonical"),
            (BenchSteps.Exact, $"    kind: dedup\n    input: {BenchSteps.Ingest}"),
            (BenchSteps.Near, $"    kind: dedup\n    input: {BenchSteps.Exact}\n    near: {{ ngram: 5, bands: 14, rows_per_band: 8 }}"),
            (BenchSteps.Filter, $"    kind: filter\n    input: {BenchSteps.Near}\n    max_chars: 4000"),
        };
        int last = Array.FindIndex(stages, s => s.Name == step);
        if (last < 0)
        {
            throw new ArgumentException($"unknown step '{step}'");
        }

        string yaml = "name: bench-data\nstages:\n" + string.Concat(stages.Take(last + 1).Select(s => $"  {s.Name}:\n{s.Yaml}\n"));
        var storage = new LocalStorage(Path.Combine(options.Root, "runs"));
        var spec = new PipelineLoader(new StageRegistry(DataStageKinds.All)).Load(yaml, Path.Combine(options.Root, "bench.yaml"));
        var record = await new PipelineRunner(new RunOptions { Storage = storage, Log = new RunLog(Console.Out, TimeProvider.System) })
            .RunAsync(spec, cancellationToken);
        var stage = record.Stages[last];
        var stats = await storage.ReadJsonAsync($"stages/{stage.Name}/{stage.Fingerprint}/stats.json", cancellationToken);
        return new JsonObject
        {
            ["step"] = step,
            ["rows_in"] = stage.RowsIn,
            ["rows_out"] = stage.RowsOut,
            ["seconds"] = stage.Seconds,
            ["stats"] = stats?.DeepClone(),
        };
    }
}
