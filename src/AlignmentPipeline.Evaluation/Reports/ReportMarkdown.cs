using System.Globalization;
using System.Text;

namespace AlignmentPipeline.Evaluation.Reports;

/// <summary>Renders <c>report.md</c>: a heading, a table of the numbers and sentences a person can act on.</summary>
public static class ReportMarkdown
{
    /// <summary>The markdown text of the report.</summary>
    /// <param name="report">The report.</param>
    /// <param name="plotFiles">Names of the plot files written beside report.md, listed at the end.</param>
    public static string Render(EvaluationReport report, IReadOnlyList<string> plotFiles)
    {
        var s = report.Summary;
        var level = Percent(report.CiLevel, 0);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# {report.Candidate} vs {report.Baseline}\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Judge: `{report.Judge}`\n\n");
        text.Append("| metric | value |\n|---|---|\n");
        text.Append(CultureInfo.InvariantCulture, $"| items judged (n) | {s.N} |\n");
        text.Append(CultureInfo.InvariantCulture, $"| wins / losses / ties | {s.Wins} / {s.Losses} / {s.Ties} |\n");
        text.Append(CultureInfo.InvariantCulture, $"| invalid (excluded) | {s.Invalid} |\n");
        text.Append(CultureInfo.InvariantCulture, $"| win rate (ties count half) | {Percent(s.WinRate)} ± {Percent(s.StandardError)} (s.e.) |\n");
        text.Append(CultureInfo.InvariantCulture, $"| {level} bootstrap interval | [{Percent(s.CiLow)}, {Percent(s.CiHigh)}] ({report.BootstrapResamples} resamples, seed {report.BootstrapSeed}) |\n");
        text.Append(CultureInfo.InvariantCulture, $"| length-controlled win rate | {(s.LcWinRate is { } lc ? Percent(lc) : "not estimable (length separates wins from losses)")} |\n");
        text.Append(CultureInfo.InvariantCulture, $"| mean length, candidate / baseline (chars) | {s.MeanLengthCandidate:F1} / {s.MeanLengthBaseline:F1} |\n\n");
        text.Append(IntervalSentence(report)).Append("\n\n");
        if (s.Invalid > 0)
            text.Append(CultureInfo.InvariantCulture, $"{s.Invalid} of {s.N + s.Invalid} items had no usable verdict and are left out of every rate; `judge_fields` in report.json gives the reasons.\n\n");
        if (plotFiles.Count > 0)
            text.Append("Plots: ").AppendJoin(", ", plotFiles.Select(name => $"![{name}]({name})")).Append('\n');
        return text.ToString();
    }

    /// <summary>The sentence that says whether the interval excludes 0.5 and what that means.</summary>
    internal static string IntervalSentence(EvaluationReport report)
    {
        var s = report.Summary;
        var level = Percent(report.CiLevel, 0);
        if (s.CiLow > 0.5)
            return $"The {level} interval lies entirely above 50%: {report.Candidate} beats {report.Baseline} under this judge.";
        if (s.CiHigh < 0.5)
            return $"The {level} interval lies entirely below 50%: {report.Baseline} beats {report.Candidate} under this judge.";
        return $"The {level} interval includes 50%: this evaluation cannot tell {report.Candidate} and {report.Baseline} apart.";
    }

    private static string Percent(double value, int decimals = 1) =>
        (100 * value).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + "%";
}
