using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Data;
using AlignmentPipeline.Modeling;
using AlignmentPipeline.Training;

/// <summary>The benchmark pipeline: ingest → ref-logprobs (the cache) → one dpo stage, cached or with a live reference.</summary>
internal static class BenchPipeline
{
    private static readonly StageRegistry Registry = new([.. DataStageKinds.All, .. ModelingStageKinds.All, .. TrainingStageKinds.All]);

    /// <summary>Runs the upstream stages and, when <paramref name="dpoStage"/> is given, a dpo stage of that name.</summary>
    public static Task<RunRecord> RunAsync(string root, string? dpoStage = null, bool live = false)
    {
        var model = Path.Combine(root, "model");
        var yaml = $"""
            name: bench-training
            stages:
              pairs: {"{"} kind: ingest, inputs: ["{Path.Combine(root, "pairs.jsonl")}"], format: canonical {"}"}
              ref: {"{"} kind: ref-logprobs, input: pairs, model: "{model}", max_length: 256, device: cpu {"}"}

            """;
        if (dpoStage is not null)
        {
            yaml += $"""
                  {dpoStage}:
                    kind: dpo
                    input: ref
                    init: "{model}"
                    live_reference: {(live ? "true" : "false")}
                    max_length: 256
                    batch_size: {BenchConfig.BatchPairs}
                    max_steps: {BenchConfig.Steps}
                    learning_rate: 1.0e-5
                    checkpoint_every: 0
                    threads: {Environment.ProcessorCount}

                """;
        }

        var spec = new PipelineLoader(Registry).Load(yaml, Path.Combine(root, "bench.yaml"));
        return new PipelineRunner(new RunOptions { Storage = Storage(root), Executor = new LocalExecutor(1) }).RunAsync(spec);
    }

    public static LocalStorage Storage(string root) => new(Path.Combine(root, "runs"));
}
