using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.Stages;
using AlignmentPipeline.Training.Metrics;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>What a trainer publishes when it finishes: <c>model/</c>, <c>metrics.jsonl</c> and PNG curves under <c>plots/</c>.</summary>
internal static class TrainingOutputs
{
    /// <summary>The local metrics file of a stage, kept in its scratch folder until published (created empty).</summary>
    public static string MetricsFile(StageContext context)
    {
        Directory.CreateDirectory(context.ScratchDirectory);
        var path = Path.Combine(context.ScratchDirectory, "metrics.jsonl");
        File.WriteAllBytes(path, []);
        return path;
    }

    /// <summary>The stage summary of a trainer's single task: its counters and its stats (first and final loss, evaluation…).</summary>
    public static Task<StageSummary> SummaryAsync(IReadOnlyList<TaskResult> tasks) =>
        Task.FromResult(new StageSummary(StageCounters.Sum(tasks.Select(t => t.Counters)), tasks[0].Extra?.DeepClone().AsObject()));

    /// <summary>Publishes the model with its tokenizer, the metrics and one plot per (metric, title).</summary>
    public static async Task PublishAsync(
        StageContext context, ICausalLanguageModel model, TokenizerSource tokenizer, string metricsFile,
        IReadOnlyList<(string Metric, string Title)> plots, CancellationToken cancellationToken = default)
    {
        var folder = Path.Combine(context.ScratchDirectory, ModelArtifacts.Folder);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        model.Save(folder);
        tokenizer.WriteTo(folder);
        await ModelArtifacts.PublishAsync(context, folder, cancellationToken);

        var metrics = await File.ReadAllBytesAsync(metricsFile, cancellationToken);
        await context.Storage.WriteAllBytesAsync(context.OutputPath("metrics.jsonl"), metrics, cancellationToken);
        using var stream = new MemoryStream(metrics);
        var rows = await MetricsJsonl.ReadAsync(stream, cancellationToken);
        foreach (var (metric, title) in plots)
        {
            var png = MetricsPlotter.RenderPng(rows, metric, title);
            await context.Storage.WriteAllBytesAsync(context.OutputPath($"plots/{metric.Replace('/', '_')}.png"), png, cancellationToken);
        }
    }
}
