using ScottPlot;

namespace AlignmentPipeline.Training.Metrics;

/// <summary>Renders training curves from <c>metrics.jsonl</c> rows as PNG images (ScottPlot).</summary>
internal static class MetricsPlotter
{
    /// <summary>The standard DPO plots by file name: loss, reward margins and reward accuracies against step.</summary>
    public static IReadOnlyDictionary<string, byte[]> RenderStandardPlots(IReadOnlyList<MetricsRow> rows, int width = 800, int height = 500) =>
        new Dictionary<string, byte[]>
        {
            ["loss.png"] = RenderPng(rows, MetricNames.Loss, "Training loss", width, height),
            ["rewards_margins.png"] = RenderPng(rows, MetricNames.RewardsMargins, "Reward margin (chosen − rejected)", width, height),
            ["rewards_accuracies.png"] = RenderPng(rows, MetricNames.RewardsAccuracies, "Reward accuracy", width, height),
        };

    /// <summary>
    /// One metric against step as a PNG. Rows without the metric or with a non-finite value are left out; with no
    /// point at all the image still renders, titled "(no data)", so a report never links a missing file.
    /// </summary>
    public static byte[] RenderPng(IReadOnlyList<MetricsRow> rows, string metric, string title, int width = 800, int height = 500)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 50);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 50);
        var points = rows
            .Select(r => (r.Step, Value: r.Get(metric)))
            .Where(p => p.Value is { } v && double.IsFinite(v))
            .ToArray();
        var plot = new Plot();
        if (points.Length > 0)
        {
            var line = plot.Add.Scatter(points.Select(p => (double)p.Step).ToArray(), points.Select(p => p.Value!.Value).ToArray());
            line.LegendText = metric;
            line.MarkerSize = points.Length > 50 ? 0 : 4;
        }
        plot.Title(points.Length > 0 ? title : $"{title} (no data)");
        plot.XLabel(MetricNames.Step);
        plot.YLabel(metric);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
