using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Training.Tests.Trainers;

namespace AlignmentPipeline.Training.Tests.RewardModel;

/// <summary>
/// Runs ingest → split (train 0.75 / eval 0.25 by id) → sft (from scratch) once, then reward models on the synthetic
/// " yes" over " no" preference (held out by the split stage) and on its mirror image, the same pairs with chosen and
/// rejected swapped (held out by eval_fraction).
/// </summary>
public sealed class RewardModelPipelineFixture : IAsyncLifetime
{
    internal TrainerHarness Harness { get; } = new();

    /// <summary>ingest, split, sft and the mirror-image ingest, as YAML to extend.</summary>
    internal string UpstreamYaml { get; private set; } = "";

    /// <summary>The run with <c>rm</c> (trained on the yes-preference) and <c>rm_mirror</c> (on the no-preference).</summary>
    internal RunRecord Trained { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var mirrorFile = Path.Combine(Path.GetDirectoryName(Harness.DataFile)!, "mirror.jsonl");
        await File.WriteAllLinesAsync(mirrorFile, (await File.ReadAllLinesAsync(Harness.DataFile)).Select(Mirror));
        UpstreamYaml = TrainingPipelines.Ingest(Harness.DataFile) + Split("split", "ingest") + TrainingPipelines.Sft() +
                       $$"""
                         mirror_ingest: { kind: ingest, inputs: ["{{mirrorFile}}"], format: canonical }

                       """;
        Trained = await Harness.RunAsync(UpstreamYaml + RewardModel("rm", "split", "max_steps: 40\n    eval_every: 20")
                                                      + RewardModel("rm_mirror", "mirror_ingest", "max_steps: 40\n    eval_fraction: 0.25"));
    }

    /// <summary>A reward-model stage on top of the sft backbone with a learning rate that trains the tiny model in tens of steps.</summary>
    internal static string RewardModel(string name, string input, string extra) => $$"""
          {{name}}:
            kind: reward-model
            input: {{input}}
            init: sft
            batch_size: 8
            learning_rate: 0.001
            threads: 1
            {{extra}}

        """;

    public ValueTask DisposeAsync()
    {
        Harness.Dispose();
        return ValueTask.CompletedTask;
    }

    private static string Split(string name, string input) => $$"""
          {{name}}: { kind: split, input: {{input}}, fractions: { train: 0.75, eval: 0.25 }, by: id }

        """;

    private static string Mirror(string line)
    {
        var row = JsonNode.Parse(line)!.AsObject();
        (row["chosen"], row["rejected"]) = (row["rejected"]!.DeepClone(), row["chosen"]!.DeepClone());
        return row.ToJsonString();
    }
}
