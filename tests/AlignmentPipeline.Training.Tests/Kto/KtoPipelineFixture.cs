using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Training.Tests.Trainers;

namespace AlignmentPipeline.Training.Tests.Kto;

/// <summary>Runs ingest → sft (from scratch, random completions) → ref-logprobs with kto_mismatched once, then a kto stage alone, counting model loads.</summary>
public sealed class KtoPipelineFixture : IAsyncLifetime
{
    internal TrainerHarness Harness { get; } = new();

    /// <summary>The stages ingest, sft and cache as YAML, to extend with kto stages.</summary>
    internal string UpstreamYaml => TrainingPipelines.Ingest(Harness.DataFile) + TrainingPipelines.Sft() + KtoPipelines.Cache;

    internal RunRecord Upstream { get; private set; } = null!;

    internal RunRecord WithKto { get; private set; } = null!;

    /// <summary>Models loaded while the kto stage ran (upstream outputs were reused).</summary>
    internal int KtoModelLoads { get; private set; }

    internal string KtoLog { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        Upstream = await Harness.RunAsync(UpstreamYaml);
        var before = ModelLoader.LoadCount;
        var logStart = Harness.Log.Length;
        WithKto = await Harness.RunAsync(UpstreamYaml + KtoPipelines.Kto("kto", "max_steps: 30\n    batch_size: 8\n    learning_rate: 0.001\n    eval_fraction: 0.25\n    eval_every: 15"));
        KtoModelLoads = ModelLoader.LoadCount - before;
        KtoLog = Harness.Log.ToString(logStart, Harness.Log.Length - logStart);
    }

    public ValueTask DisposeAsync()
    {
        Harness.Dispose();
        return ValueTask.CompletedTask;
    }
}
