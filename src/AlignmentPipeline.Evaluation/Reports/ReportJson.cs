using System.Text.Json;
using System.Text.Json.Nodes;
using AlignmentPipeline.Evaluation.Statistics;

namespace AlignmentPipeline.Evaluation.Reports;

/// <summary>Writes and reads <c>report.json</c> (layout in docs/report-schema.md).</summary>
public static class ReportJson
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The report as indented JSON with snake_case keys in a fixed order.</summary>
    public static string Write(EvaluationReport report)
    {
        var s = report.Summary;
        var node = new JsonObject
        {
            ["schema_version"] = EvaluationReport.SchemaVersion,
            ["judge"] = report.Judge,
            ["candidate"] = report.Candidate,
            ["baseline"] = report.Baseline,
            ["n"] = s.N,
            ["wins"] = s.Wins,
            ["losses"] = s.Losses,
            ["ties"] = s.Ties,
            ["invalid"] = s.Invalid,
            ["win_rate"] = s.WinRate,
            ["win_rate_se"] = s.StandardError,
            ["ci_low"] = s.CiLow,
            ["ci_high"] = s.CiHigh,
            ["ci_level"] = report.CiLevel,
            ["bootstrap_resamples"] = report.BootstrapResamples,
            ["bootstrap_seed"] = report.BootstrapSeed,
            ["lc_win_rate"] = s.LcWinRate,
            ["mean_length_candidate"] = s.MeanLengthCandidate,
            ["mean_length_baseline"] = s.MeanLengthBaseline,
            ["judge_fields"] = report.JudgeFields.DeepClone(),
        };
        return node.ToJsonString(Indented) + "\n";
    }

    /// <summary>Reads a report written by <see cref="Write"/>.</summary>
    /// <exception cref="FormatException">A required field is missing or has the wrong type; the message names it.</exception>
    public static EvaluationReport Read(string json, string source = "report.json")
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new FormatException($"{source}: the top level is not a JSON object");
        }
        catch (JsonException exception)
        {
            throw new FormatException($"{source}: not valid JSON ({exception.Message})", exception);
        }

        T Get<T>(string name)
        {
            if (root[name] is not JsonValue value)
                throw new FormatException($"{source}: the field '{name}' is missing or is not a single value");
            return value.TryGetValue<T>(out var result)
                ? result
                : throw new FormatException($"{source}: the field '{name}' is not a {typeof(T).Name}");
        }

        var summary = new WinRateSummary(
            Get<int>("n"), Get<int>("wins"), Get<int>("losses"), Get<int>("ties"), Get<int>("invalid"),
            Get<double>("win_rate"), Get<double>("win_rate_se"), Get<double>("ci_low"), Get<double>("ci_high"),
            root["lc_win_rate"] is null ? null : Get<double>("lc_win_rate"),
            Get<double>("mean_length_candidate"), Get<double>("mean_length_baseline"));
        return new EvaluationReport(
            Get<string>("judge"), Get<string>("candidate"), Get<string>("baseline"), summary,
            Get<double>("ci_level"), Get<int>("bootstrap_resamples"), Get<int>("bootstrap_seed"),
            root["judge_fields"] is JsonObject fields ? (JsonObject)fields.DeepClone() : []);
    }
}
