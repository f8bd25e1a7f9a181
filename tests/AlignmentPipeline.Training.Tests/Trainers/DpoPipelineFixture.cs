using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Modeling.Checkpoints;

namespace AlignmentPipeline.Training.Tests.Trainers;

/// <summary>
/// Runs ingest → sft (from scratch, random completions) → reference cache once, then a dpo stage alone (counting
/// model loads), then two dpo stages that differ only in batch size × accumulation.
/// </summary>
public sealed class DpoPipelineFixture : IAsyncLifetime
{
    internal TrainerHarness Harness { get; } = new();

    internal RunRecord Upstream { get; private set; } = null!;

    /// <summary>The stages ingest, sft and ref as YAML, to extend with more dpo stages.</summary>
    internal string UpstreamYaml => TrainingPipelines.Ingest(Harness.DataFile) + TrainingPipelines.Sft() + TrainingPipelines.Reference;

    internal RunRecord WithDpo { get; private set; } = null!;

    internal RunRecord WithAccumulation { get; private set; } = null!;

    /// <summary>Models loaded while the dpo stage ran (upstream outputs were reused).</summary>
    internal int DpoModelLoads { get; private set; }

    internal string DpoLog { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var upstream = UpstreamYaml;
        Upstream = await Harness.RunAsync(upstream);
        var before = ModelLoader.LoadCount;
        var logStart = Harness.Log.Length;
        var dpo = TrainingPipelines.Dpo("dpo", "max_steps: 30\n    batch_size: 8\n    learning_rate: 0.001\n    eval_fraction: 0.25\n    eval_every: 10");
        WithDpo = await Harness.RunAsync(upstream + dpo);
        DpoModelLoads = ModelLoader.LoadCount - before;
        DpoLog = Harness.Log.ToString(logStart, Harness.Log.Length - logStart);
        WithAccumulation = await Harness.RunAsync(upstream
            + TrainingPipelines.Dpo("whole", "max_steps: 1\n    batch_size: 8\n    gradient_accumulation_steps: 1\n    learning_rate: 0.0001\n    max_grad_norm: 0.05")
            + TrainingPipelines.Dpo("accumulated", "max_steps: 1\n    batch_size: 1\n    gradient_accumulation_steps: 8\n    learning_rate: 0.0001\n    max_grad_norm: 0.05"));
    }

    public ValueTask DisposeAsync()
    {
        Harness.Dispose();
        return ValueTask.CompletedTask;
    }
}
