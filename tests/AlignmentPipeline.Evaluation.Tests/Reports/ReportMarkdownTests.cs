using AlignmentPipeline.Evaluation.Reports;

namespace AlignmentPipeline.Evaluation.Tests.Reports;

public sealed class ReportMarkdownTests
{
    [Theory]
    [InlineData(0.62, 0.53, 0.71, "lies entirely above 50%: dpo-step-300 beats sft")]
    [InlineData(0.38, 0.29, 0.47, "lies entirely below 50%: sft beats dpo-step-300")]
    [InlineData(0.52, 0.43, 0.61, "includes 50%: this evaluation cannot tell dpo-step-300 and sft apart")]
    public void The_summary_sentence_says_whether_the_interval_excludes_one_half(double rate, double low, double high, string expected)
    {
        var text = ReportMarkdown.Render(ReportSamples.Report(rate, low, high), ["win_rate.png"]);

        Assert.Contains($"The 95% interval {expected}", text);
    }

    [Fact]
    public void The_table_shows_counts_rates_interval_and_lengths()
    {
        var text = ReportMarkdown.Render(ReportSamples.Report(0.6, 0.51, 0.69, lc: null), ["win_rate.png", "lengths.png"]);

        Assert.Contains("| wins / losses / ties | 50 / 30 / 20 |", text);
        Assert.Contains("| invalid (excluded) | 3 |", text);
        Assert.Contains("| win rate (ties count half) | 60.0% ± 4.5% (s.e.) |", text);
        Assert.Contains("| 95% bootstrap interval | [51.0%, 69.0%] (2000 resamples, seed 0) |", text);
        Assert.Contains("| length-controlled win rate | not estimable", text);
        Assert.Contains("| mean length, candidate / baseline (chars) | 180.3 / 150.5 |", text);
        Assert.Contains("3 of 103 items had no usable verdict", text);
        Assert.Contains("![lengths.png](lengths.png)", text);
    }
}
