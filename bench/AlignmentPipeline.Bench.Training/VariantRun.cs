using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Modeling.Checkpoints;

/// <summary>
/// One variant in its own process, so its peak resident memory (VmHWM of /proc/self/status) covers that variant
/// alone: runs the pipeline (ingest and ref-logprobs are reused, the dpo stage is computed) and prints one JSON line.
/// </summary>
internal static class VariantRun
{
    public static async Task<JsonObject> RunAsync(string root, string stage, bool live)
    {
        var startKb = StatusKb("VmRSS");
        var record = await BenchPipeline.RunAsync(root, stage, live);
        var dpo = record.Stages.Single(s => s.Name == stage);
        var output = await new RunStore(BenchPipeline.Storage(root)).TryLoadOutputAsync(stage, dpo.Fingerprint)
            ?? throw new InvalidOperationException($"{stage} published no output");
        var steps = File.ReadAllLines(Path.Combine(BenchPipeline.Storage(root).Root, output.Path("metrics.jsonl")))
            .Select(l => JsonNode.Parse(l)!.AsObject()).Where(m => m["tokens_per_second"] is not null).ToList();
        var stats = JsonNode.Parse(File.ReadAllText(Path.Combine(BenchPipeline.Storage(root).Root, output.Path("stats.json"))))!.AsObject();
        return new JsonObject
        {
            ["stage"] = stage,
            ["live"] = live,
            ["computed"] = string.Join(",", record.Stages.Where(s => s.Status != StageStatus.Reused).Select(s => s.Name)),
            ["model_loads"] = ModelLoader.LoadCount,
            ["rss_start_kb"] = startKb,
            ["vm_hwm_kb"] = StatusKb("VmHWM"),
            ["tokens_per_second"] = new JsonArray([.. steps.Select(m => (JsonNode?)m["tokens_per_second"]!.GetValue<double>())]),
            ["first_step_loss"] = stats["first_step_loss"]?.DeepClone(),
        };
    }

    private static long StatusKb(string field) =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal))[(field.Length + 1)..].Trim().Split(' ')[0]);
}
