using System.Buffers.Binary;
using AlignmentPipeline.Training.Metrics;

namespace AlignmentPipeline.Training.Tests.Metrics;

public sealed class MetricsPlotterTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("plots-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Standard_plots_are_pngs_of_the_requested_size_from_a_metrics_file()
    {
        var metricsPath = Path.Combine(_folder, "metrics.jsonl");
        await using (var file = File.Create(metricsPath))
        using (var logger = new MetricsLogger(file))
        {
            for (var step = 1; step <= 30; step++)
            {
                var margin = 0.02 * step;
                logger.Log(step, step / 30.0,
                [
                    new(MetricNames.Loss, Math.Log(1 + Math.Exp(-margin))),
                    new(MetricNames.RewardsMargins, margin),
                    new(MetricNames.RewardsAccuracies, Math.Min(1, 0.5 + step / 60.0)),
                ]);
            }
        }
        await using var input = File.OpenRead(metricsPath);
        var rows = await MetricsJsonl.ReadAsync(input, TestContext.Current.CancellationToken);

        var plots = MetricsPlotter.RenderStandardPlots(rows, 640, 400);

        Assert.Equal(["loss.png", "rewards_accuracies.png", "rewards_margins.png"], plots.Keys.Order());
        foreach (var (name, png) in plots)
        {
            await File.WriteAllBytesAsync(Path.Combine(_folder, name), png, TestContext.Current.CancellationToken);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
            Assert.Equal(640, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4))); // IHDR width
            Assert.Equal(400, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4))); // IHDR height
        }
        Assert.NotEqual(plots["loss.png"], plots["rewards_margins.png"]);
    }

    [Fact]
    public void A_metric_missing_from_every_row_still_renders()
    {
        var rows = new[] { new MetricsRow(1, 0.1, new Dictionary<string, double> { [MetricNames.Loss] = 0.7 }) };
        var png = MetricsPlotter.RenderPng(rows, MetricNames.RewardsMargins, "margins", 300, 200);
        Assert.Equal(300, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));
    }
}
