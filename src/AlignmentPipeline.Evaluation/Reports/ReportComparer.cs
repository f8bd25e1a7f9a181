using System.Globalization;
using System.Text;

namespace AlignmentPipeline.Evaluation.Reports;

/// <summary>Renders two reports side by side with the difference of each number (right − left).</summary>
public static class ReportComparer
{
    /// <summary>Reads two report.json files and renders them side by side, labelled by their paths.</summary>
    public static string RenderFiles(string leftPath, string rightPath, ReportFormat format = ReportFormat.Markdown) =>
        Render(
            ReportJson.Read(File.ReadAllText(leftPath), leftPath),
            ReportJson.Read(File.ReadAllText(rightPath), rightPath),
            format,
            leftPath,
            rightPath);

    /// <summary>A table with one row per metric: left value, right value, right − left; then notes on comparability.</summary>
    public static string Render(
        EvaluationReport left, EvaluationReport right, ReportFormat format = ReportFormat.Markdown, string leftLabel = "left", string rightLabel = "right")
    {
        var (a, b) = (left.Summary, right.Summary);
        var rows = new List<string[]>
        {
            new[] { "metric", leftLabel, rightLabel, "difference" },
            Text("judge", left.Judge, right.Judge),
            Text("candidate", left.Candidate, right.Candidate),
            Text("baseline", left.Baseline, right.Baseline),
            Count("n", a.N, b.N),
            Count("wins", a.Wins, b.Wins),
            Count("losses", a.Losses, b.Losses),
            Count("ties", a.Ties, b.Ties),
            Count("invalid", a.Invalid, b.Invalid),
            Rate("win rate", a.WinRate, b.WinRate),
            Rate("standard error", a.StandardError, b.StandardError),
            new[] { "interval", Interval(left), Interval(right), "" },
            Rate("LC win rate", a.LcWinRate, b.LcWinRate),
            Number("mean length, candidate", a.MeanLengthCandidate, b.MeanLengthCandidate),
            Number("mean length, baseline", a.MeanLengthBaseline, b.MeanLengthBaseline),
        };

        var text = format == ReportFormat.Markdown ? MarkdownTable(rows) : PlainTable(rows);
        var notes = new List<string>();
        if (left.Judge != right.Judge)
            notes.Add("The judges differ, so the win rates are not directly comparable.");
        if (left.Baseline != right.Baseline)
            notes.Add("The baselines differ, so the win rates are not directly comparable.");
        if (a.CiHigh < b.CiLow || b.CiHigh < a.CiLow)
            notes.Add("The two intervals do not overlap.");
        else
            notes.Add("The two intervals overlap; the difference may be noise.");
        return text + "\n" + string.Join("\n", notes) + "\n";
    }

    private static string[] Text(string name, string left, string right) => [name, left, right, left == right ? "same" : "differs"];

    private static string[] Count(string name, int left, int right) =>
        [name, Invariant(left), Invariant(right), (right - left).ToString("+0;-0;0", CultureInfo.InvariantCulture)];

    private static string[] Rate(string name, double? left, double? right) =>
        [name, Percent(left), Percent(right), left is { } l && right is { } r ? (100 * (r - l)).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) + " pts" : "n/a"];

    private static string[] Number(string name, double left, double right) =>
        [name, left.ToString("F1", CultureInfo.InvariantCulture), right.ToString("F1", CultureInfo.InvariantCulture), (right - left).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture)];

    private static string Interval(EvaluationReport report) =>
        $"[{Percent(report.Summary.CiLow)}, {Percent(report.Summary.CiHigh)}] ({100 * report.CiLevel:F0}%)";

    private static string Percent(double? value) =>
        value is { } v ? (100 * v).ToString("F1", CultureInfo.InvariantCulture) + "%" : "n/a";

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string MarkdownTable(List<string[]> rows)
    {
        var text = new StringBuilder();
        text.Append("| ").AppendJoin(" | ", rows[0]).Append(" |\n");
        text.Append("|---|---|---|---|\n");
        foreach (var row in rows.Skip(1))
            text.Append("| ").AppendJoin(" | ", row.Select(cell => cell.Replace("|", "\\|", StringComparison.Ordinal))).Append(" |\n");
        return text.ToString();
    }

    private static string PlainTable(List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(column => rows.Max(row => row[column].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
            text.Append(string.Join("  ", row.Select((cell, column) => cell.PadRight(widths[column]))).TrimEnd()).Append('\n');
        return text.ToString();
    }
}
