using System.Text.Json;
using AlignmentPipeline.Training.Metrics;

namespace AlignmentPipeline.Training.Tests.Metrics;

public sealed class MetricsLoggerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("metrics-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Lines_use_trl_names_and_read_back_identically()
    {
        var path = Path.Combine(_folder, "metrics.jsonl");
        await using (var file = File.Create(path))
        using (var logger = new MetricsLogger(file))
        {
            logger.Log(1, 0.25, [new(MetricNames.Loss, 0.6931), new(MetricNames.RewardsMargins, 0.0125), new(MetricNames.LearningRate, 5e-7)]);
            logger.Log(2, 0.5, [new(MetricNames.Loss, 0.61), new(MetricNames.GradNorm, double.NaN)]);
        }

        var lines = await File.ReadAllLinesAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(2, lines.Length);
        Assert.Equal("""{"step":1,"epoch":0.25,"loss":0.6931,"rewards/margins":0.0125,"learning_rate":5E-07}""", lines[0]);
        Assert.Equal("""{"step":2,"epoch":0.5,"loss":0.61,"grad_norm":null}""", lines[1]);
        Assert.All(lines, line => JsonDocument.Parse(line).Dispose());

        await using var input = File.OpenRead(path);
        var rows = await MetricsJsonl.ReadAsync(input, TestContext.Current.CancellationToken);
        Assert.Equal([1L, 2L], rows.Select(r => r.Step));
        Assert.Equal(0.0125, rows[0].Get(MetricNames.RewardsMargins));
        Assert.Equal(5e-7, rows[0].Get(MetricNames.LearningRate));
        Assert.True(double.IsNaN(rows[1].Get(MetricNames.GradNorm)!.Value));
        Assert.Null(rows[1].Get(MetricNames.RewardsMargins));
    }

    [Fact]
    public void Every_line_is_flushed_before_the_next_step()
    {
        using var stream = new MemoryStream();
        using var logger = new MetricsLogger(stream);
        logger.Log(1, 0.1, [new(MetricNames.Loss, 1.0)]);
        Assert.Equal("{\"step\":1,\"epoch\":0.1,\"loss\":1}\n", System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public void Passing_step_among_the_values_is_refused()
    {
        using var stream = new MemoryStream();
        using var logger = new MetricsLogger(stream);
        Assert.Throws<ArgumentException>(() => logger.Log(1, 0, [new(MetricNames.Step, 1)]));
    }

    [Fact]
    public async Task A_malformed_line_is_reported_with_its_number()
    {
        using var stream = new MemoryStream("{\"step\":1,\"loss\":1}\n\n{\"step\":2,\"loss\":\n"u8.ToArray());
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => MetricsJsonl.ReadAsync(stream, TestContext.Current.CancellationToken));
        Assert.Contains("line 3", error.Message);
    }
}
