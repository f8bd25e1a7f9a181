using AlignmentPipeline.Evaluation.Reports;
using AlignmentPipeline.TestSupport;

namespace AlignmentPipeline.Evaluation.Tests.Reports;

public sealed class ReportComparerTests
{
    [Fact]
    public void Two_report_files_render_side_by_side_with_differences()
    {
        using var directory = new TempDirectory("compare");
        var left = Path.Combine(directory.Path, "left.json");
        var right = Path.Combine(directory.Path, "right.json");
        File.WriteAllText(left, ReportJson.Write(ReportSamples.Report(0.60, 0.51, 0.69, lc: 0.55)));
        File.WriteAllText(right, ReportJson.Write(ReportSamples.Report(0.72, 0.64, 0.80, lc: null, judge: "llm:judge")));

        var text = ReportComparer.RenderFiles(left, right);

        Assert.Contains($"| metric | {left} | {right} | difference |", text);
        Assert.Contains("| win rate | 60.0% | 72.0% | +12.0 pts |", text);
        Assert.Contains("| LC win rate | 55.0% | n/a | n/a |", text);
        Assert.Contains("| judge | rule:length | llm:judge | differs |", text);
        Assert.Contains("| n | 100 | 100 | 0 |", text);
        Assert.Contains("The judges differ", text);
        Assert.Contains("The two intervals overlap", text);
    }

    [Fact]
    public void Plain_text_aligns_columns_and_notes_intervals_that_do_not_overlap()
    {
        var text = ReportComparer.Render(
            ReportSamples.Report(0.40, 0.31, 0.49), ReportSamples.Report(0.70, 0.61, 0.79), ReportFormat.PlainText, "before", "after");

        var lines = text.Split('\n');
        Assert.StartsWith("metric", lines[0]);
        var column = lines[0].IndexOf("before", StringComparison.Ordinal);
        var winRate = lines.Single(l => l.StartsWith("win rate ", StringComparison.Ordinal));
        Assert.Equal("40.0%", winRate.Substring(column, 5));
        Assert.Contains("+30.0 pts", winRate);
        Assert.Contains("The two intervals do not overlap.", text);
        Assert.DoesNotContain("|", text);
    }
}
