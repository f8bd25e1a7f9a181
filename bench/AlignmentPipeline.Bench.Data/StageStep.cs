using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Data;

namespace AlignmentPipeline.Bench.Data;

/// <summary>
/// One measured step: the pipeline up to that step's stages through the real runner on local storage. Earlier stages
/// are reused from the store (same fingerprints), so only the step's own stages compute in this process (near dedup is
/// three: minhash → near-clusters → near-dedup; its seconds are their sum).
/// </summary>
internal static class StageStep
{
    public static async Task<JsonObject> RunAsync(BenchOptions options, string step, CancellationToken cancellationToken = default)
    {
        string inputs = string.Join(", ", options.InputPaths.Select(p => $"\"{p}\""));
        var stages = new (string Step, string Name, string Yaml)[]
        {
            (BenchSteps.Ingest, BenchSteps.Ingest, $"    kind: ingest\n    inputs: [{inputs}]\n    format: canonical"),
            (BenchSteps.Exact, BenchSteps.Exact, $"    kind: dedup\n    input: {BenchSteps.Ingest}"),
            (BenchSteps.Near, "near_signatures", $"    kind: minhash\n    input: {BenchSteps.Exact}\n    ngram: 5\n    bands: 14\n    rows_per_band: 8"),
            (BenchSteps.Near, "near_clusters", "    kind: near-clusters\n    input: near_signatures"),
            (BenchSteps.Near, BenchSteps.Near, $"    kind: near-dedup\n    input: [{BenchSteps.Exact}, near_clusters]"),
            (BenchSteps.Filter, BenchSteps.Filter, $"    kind: filter\n    input: {BenchSteps.Near}\n    max_chars: 4000"),
        };
        int last = Array.FindLastIndex(stages, s => s.Step == step);
        if (last < 0)
        {
            throw new ArgumentException($"unknown step '{step}'");
        }

        string yaml = "name: bench-data\nstages:\n" + string.Concat(stages.Take(last + 1).Select(s => $"  {s.Name}:\n{s.Yaml}\n"));
        var storage = new LocalStorage(Path.Combine(options.Root, "runs"));
        var spec = new PipelineLoader(new StageRegistry(DataStageKinds.All)).Load(yaml, Path.Combine(options.Root, "bench.yaml"));
        var record = await new PipelineRunner(new RunOptions { Storage = storage, Log = new RunLog(Console.Out, TimeProvider.System) })
            .RunAsync(spec, cancellationToken);
        int first = Array.FindIndex(stages, s => s.Step == step);
        var stage = record.Stages[last];
        var measured = record.Stages.Skip(first).Take(last - first + 1).ToList();
        var stats = await storage.ReadJsonAsync($"stages/{stage.Name}/{stage.Fingerprint}/stats.json", cancellationToken);
        return new JsonObject
        {
            ["step"] = step,
            ["rows_in"] = measured[0].RowsIn,
            ["rows_out"] = stage.RowsOut,
            ["seconds"] = measured.Sum(s => s.Seconds),
            ["stage_seconds"] = new JsonObject(measured.Select(s => KeyValuePair.Create(s.Name, (JsonNode?)s.Seconds))),
            ["stats"] = stats?.DeepClone(),
        };
    }
}
