using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AlignmentPipeline.Evaluation.Reports;

namespace AlignmentPipeline.Evaluation.Tests.Reports;

public sealed partial class ReportJsonTests
{
    [Fact]
    public void A_written_report_reads_back_unchanged()
    {
        var report = ReportSamples.Report(0.6, 0.51, 0.69);

        var read = ReportJson.Read(ReportJson.Write(report));

        var sameFields = new JsonObject();
        Assert.Equal(report with { JudgeFields = sameFields }, read with { JudgeFields = sameFields });
        Assert.Equal(report.JudgeFields.ToJsonString(), read.JudgeFields.ToJsonString());
    }

    [Fact]
    public void An_undefined_length_controlled_rate_is_written_as_null()
    {
        var json = JsonNode.Parse(ReportJson.Write(ReportSamples.Report(0.5, 0.4, 0.6, lc: null)))!.AsObject();

        Assert.True(json.ContainsKey("lc_win_rate"));
        Assert.Null(json["lc_win_rate"]);
        Assert.Null(ReportJson.Read(json.ToJsonString()).Summary.LcWinRate);
    }

    [Fact]
    public void Reading_names_the_missing_field()
    {
        var json = JsonNode.Parse(ReportJson.Write(ReportSamples.Report(0.6, 0.51, 0.69)))!.AsObject();
        json.Remove("ci_high");

        var error = Assert.Throws<FormatException>(() => ReportJson.Read(json.ToJsonString(), "runs/a/report.json"));

        Assert.Contains("runs/a/report.json", error.Message);
        Assert.Contains("'ci_high'", error.Message);
    }

    [Fact]
    public void The_written_keys_are_exactly_the_keys_documented_in_report_schema_md()
    {
        var schema = SchemaDocument();
        var section = schema[schema.IndexOf("## Fields of `report.json`", StringComparison.Ordinal)..schema.IndexOf("### Bootstrap interval", StringComparison.Ordinal)];
        var documented = DocumentedKey().Matches(section).Select(m => m.Groups[1].Value).ToHashSet();

        var written = JsonNode.Parse(ReportJson.Write(ReportSamples.Report(0.6, 0.51, 0.69)))!.AsObject().Select(p => p.Key).ToHashSet();

        Assert.Equal(documented.Order(), written.Order());
    }

    [GeneratedRegex(@"^\| `([a-z_]+)` \|", RegexOptions.Multiline)]
    private static partial Regex DocumentedKey();

    private static string SchemaDocument([CallerFilePath] string sourceFile = "")
    {
        for (var directory = new DirectoryInfo(Path.GetDirectoryName(sourceFile)!); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "docs", "report-schema.md");
            if (File.Exists(candidate))
                return File.ReadAllText(candidate);
        }
        Assert.Skip($"docs/report-schema.md was not found above {sourceFile}; the schema check needs the source tree");
        return "";
    }
}
