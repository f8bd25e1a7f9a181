using System.Text.Json.Nodes;
using AlignmentPipeline.Evaluation.Judges;
using AlignmentPipeline.Evaluation.Judges.Rules;
using AlignmentPipeline.Evaluation.Reports;
using AlignmentPipeline.Evaluation.Statistics;
using AlignmentPipeline.TestSupport;
using SkiaSharp;

namespace AlignmentPipeline.Evaluation.Tests.Reports;

public sealed class ReportWriterTests
{
    private static async Task<(EvaluationReport Report, IReadOnlyList<JudgedItem> Items)> JudgeStoriesAsync()
    {
        var judge = new RuleJudge(new LexiconSentimentScorer());
        var requests = Enumerable.Range(0, 40).Select(i => new JudgeRequest(
            $"story-{i}",
            "Tell a story about two friends.",
            i % 4 == 0 ? $"They yelled at each other {i} times." : $"They shared a cake and smiled {i} times, being kind.",
            i % 3 == 0 ? $"They were kind and helped {i} friends." : $"One pushed the other {i} times.")).ToList();
        var items = await JudgeRunner.JudgeAllAsync(judge, requests, cancellationToken: TestContext.Current.CancellationToken);
        return (EvaluationReport.FromJudgedItems(judge, "kind-dpo", "sft", items), items);
    }

    [Fact]
    public async Task Writing_a_report_produces_every_file_with_report_json_last()
    {
        using var directory = new TempDirectory("report");
        var (report, items) = await JudgeStoriesAsync();

        var written = await ReportWriter.WriteToDirectoryAsync(report, items, directory.Path, TestContext.Current.CancellationToken);

        Assert.Equal(["judgments.jsonl", "win_rate.png", "lengths.png", "scores.png", "report.md", "report.json"], written);
        Assert.All(written, name => Assert.True(new FileInfo(Path.Combine(directory.Path, name)).Length > 0, name));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(directory.Path, "report.json")))!;
        Assert.Equal(report.Summary.N, json["n"]!.GetValue<int>());
        Assert.Equal("rule:lexicon-sentiment", json["judge"]!.GetValue<string>());
        Assert.Equal("lexicon-sentiment", json["judge_fields"]!["scorer"]!.GetValue<string>());
        var lines = File.ReadAllLines(Path.Combine(directory.Path, "judgments.jsonl"));
        Assert.Equal(items.Count, lines.Length);
        var first = JsonNode.Parse(lines[0])!;
        Assert.Equal(("story-0", items[0].Outcome.Verdict.ToString().ToLowerInvariant()), (first["item_id"]!.GetValue<string>(), first["verdict"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_win_rate_plot_is_a_png_showing_the_interval_and_the_length_controlled_marker()
    {
        using var directory = new TempDirectory("report");
        var (report, items) = await JudgeStoriesAsync();
        await ReportWriter.WriteToDirectoryAsync(report, items, directory.Path, TestContext.Current.CancellationToken);

        using var bitmap = SKBitmap.Decode(Path.Combine(directory.Path, "win_rate.png"));

        Assert.Equal((640, 420), (bitmap.Width, bitmap.Height));
        var pixels = bitmap.Pixels;
        Assert.Contains(pixels, p => p.Red == 0 && p.Green == 0 && p.Blue == 255);   // the interval and win-rate marker
        Assert.Contains(pixels, p => p.Red == 255 && p.Green == 165 && p.Blue == 0); // the LC marker (orange)
    }

    [Fact]
    public async Task Without_scores_no_score_plot_is_written()
    {
        var items = new[] { Verdict.Win, Verdict.Loss, Verdict.Tie }.Select((v, i) => new JudgedItem(
            new JudgeRequest($"{i}", "p", "candidate text", "baseline"),
            new JudgeOutcome(v, new Dictionary<string, string> { ["order_candidate_first"] = "A" }))).ToList();
        var summary = WinRateStatistics.Summarize(items.Select(i => i.ToJudgment()).ToList());
        var report = EvaluationReport.Create("llm:judge", "c", "b", summary, new BootstrapOptions(), new JsonObject { ["type"] = "llm" });
        var sink = new MemorySink();

        var written = await ReportWriter.WriteAsync(report, items, sink, TestContext.Current.CancellationToken);

        Assert.DoesNotContain("scores.png", written);
        Assert.Equal(written, sink.Files.Keys);
        Assert.DoesNotContain("scores.png", System.Text.Encoding.UTF8.GetString(sink.Files["report.md"]));
    }

    [Fact]
    public async Task A_report_file_name_with_a_folder_is_rejected()
    {
        using var directory = new TempDirectory("report");
        var sink = new DirectoryReportSink(directory.Path);

        await Assert.ThrowsAsync<ArgumentException>(() => sink.WriteAsync("../escape.json", new byte[] { 1 }, TestContext.Current.CancellationToken));
    }

    private sealed class MemorySink : IReportSink
    {
        public Dictionary<string, byte[]> Files { get; } = [];

        public Task WriteAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
        {
            Files[name] = content.ToArray();
            return Task.CompletedTask;
        }
    }
}
