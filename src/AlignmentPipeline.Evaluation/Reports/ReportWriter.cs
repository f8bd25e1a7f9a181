using System.Text;
using System.Text.Json.Nodes;
using AlignmentPipeline.Evaluation.Judges;
using AlignmentPipeline.Evaluation.Statistics;

namespace AlignmentPipeline.Evaluation.Reports;

/// <summary>
/// Writes an evaluation's files: <c>judgments.jsonl</c> (one line per item), <c>win_rate.png</c>, <c>lengths.png</c>,
/// <c>scores.png</c> (when the judge scored every valid item), <c>report.md</c>, and <c>report.json</c> last, so a
/// directory with report.json is complete.
/// </summary>
public static class ReportWriter
{
    /// <summary>File names, as written.</summary>
    public const string ReportJsonFile = "report.json", ReportMarkdownFile = "report.md", JudgmentsFile = "judgments.jsonl",
        WinRatePlotFile = "win_rate.png", LengthsPlotFile = "lengths.png", ScoresPlotFile = "scores.png";

    /// <summary>Writes every file through <paramref name="sink"/> and returns their names in writing order.</summary>
    public static async Task<IReadOnlyList<string>> WriteAsync(
        EvaluationReport report, IReadOnlyList<JudgedItem> items, IReportSink sink, CancellationToken cancellationToken = default)
    {
        var written = new List<string>();
        async Task Write(string name, byte[] content)
        {
            await sink.WriteAsync(name, content, cancellationToken).ConfigureAwait(false);
            written.Add(name);
        }

        await Write(JudgmentsFile, Encoding.UTF8.GetBytes(JudgmentLines(items))).ConfigureAwait(false);
        var plots = new List<string> { WinRatePlotFile, LengthsPlotFile };
        await Write(WinRatePlotFile, ReportPlots.WinRate(report)).ConfigureAwait(false);
        await Write(LengthsPlotFile, ReportPlots.Distributions(
            "Response lengths", "characters",
            ("candidate", items.Select(i => (double)i.Request.Candidate.Length).ToList()),
            ("baseline", items.Select(i => (double)i.Request.Baseline.Length).ToList()))).ConfigureAwait(false);
        var valid = items.Where(i => i.Outcome.Verdict != Verdict.Invalid).ToList();
        if (valid.Count > 0 && valid.All(i => i.Outcome is { CandidateScore: not null, BaselineScore: not null }))
        {
            await Write(ScoresPlotFile, ReportPlots.Distributions(
                $"Scores by {report.Judge}", "score",
                ("candidate", valid.Select(i => i.Outcome.CandidateScore!.Value).ToList()),
                ("baseline", valid.Select(i => i.Outcome.BaselineScore!.Value).ToList()))).ConfigureAwait(false);
            plots.Add(ScoresPlotFile);
        }
        await Write(ReportMarkdownFile, Encoding.UTF8.GetBytes(ReportMarkdown.Render(report, plots))).ConfigureAwait(false);
        await Write(ReportJsonFile, Encoding.UTF8.GetBytes(ReportJson.Write(report))).ConfigureAwait(false);
        return written;
    }

    /// <summary>Writes every file into <paramref name="directory"/> (created when missing).</summary>
    public static Task<IReadOnlyList<string>> WriteToDirectoryAsync(
        EvaluationReport report, IReadOnlyList<JudgedItem> items, string directory, CancellationToken cancellationToken = default) =>
        WriteAsync(report, items, new DirectoryReportSink(directory), cancellationToken);

    /// <summary>One JSON object per item: id, verdict, lengths, scores when present, and the judge's raw fields.</summary>
    internal static string JudgmentLines(IReadOnlyList<JudgedItem> items)
    {
        var text = new StringBuilder();
        foreach (var item in items)
        {
            var fields = new JsonObject();
            foreach (var (name, value) in item.Outcome.Fields)
                fields[name] = value;
            var line = new JsonObject
            {
                ["item_id"] = item.Request.ItemId,
                ["verdict"] = item.Outcome.Verdict.ToString().ToLowerInvariant(),
                ["candidate_length"] = item.Request.Candidate.Length,
                ["baseline_length"] = item.Request.Baseline.Length,
            };
            if (item.Outcome.CandidateScore is { } candidateScore)
                line["candidate_score"] = candidateScore;
            if (item.Outcome.BaselineScore is { } baselineScore)
                line["baseline_score"] = baselineScore;
            line["fields"] = fields;
            text.Append(line.ToJsonString()).Append('\n');
        }
        return text.ToString();
    }
}
