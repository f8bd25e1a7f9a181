using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Evaluation.Reports;
using AlignmentPipeline.Evaluation.Stages;

namespace AlignmentPipeline.Cli.Commands;

/// <summary><c>align report</c>: the evaluation report of a run; <c>align report compare</c>: two runs side by side.</summary>
internal static class ReportCommand
{
    public static Command Create(CliContext cli)
    {
        var runId = new Argument<string>("run-id") { Description = "A run id from 'align runs' (or 'latest')." };
        var storage = CommonOptions.Storage();
        var stage = new Option<string?>("--stage") { Description = "The evaluate stage to show (default: every evaluate stage of the run)." };
        var json = CommonOptions.Json();
        var command = new Command("report", "Print the evaluation report of a run (its stages of kind 'evaluate').\n\nExamples:\n" +
                                            "  align report latest\n  align report 20261125-120000-ab12cd --stage eval --json\n" +
                                            "  align report compare 20261124-090000-aa11bb latest --stage eval")
        {
            runId, storage, stage, json, CreateCompare(cli),
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var store = new RunStore(cli.Storage(parse.GetValue(storage)));
            var record = await LoadRunAsync(store, parse.GetValue(runId)!, cancellationToken);
            var reports = await LoadReportsAsync(store, record, parse.GetValue(stage), cancellationToken);
            if (parse.GetValue(json))
            {
                var all = new JsonObject();
                foreach (var (name, report, _) in reports)
                {
                    all[name] = JsonNode.Parse(ReportJson.Write(report));
                }

                cli.Out.WriteLine(all.ToJsonString(Output.Indented));
                return 0;
            }

            foreach (var (name, _, markdown) in reports)
            {
                cli.Out.WriteLine($"# run {record.RunId}, stage {name}");
                cli.Out.WriteLine(markdown);
            }

            return 0;
        });
        return command;
    }

    private static Command CreateCompare(CliContext cli)
    {
        var left = new Argument<string>("run-a") { Description = "The first run (id or 'latest')." };
        var right = new Argument<string>("run-b") { Description = "The second run (id or 'latest')." };
        var storage = CommonOptions.Storage();
        var stage = new Option<string?>("--stage") { Description = "The evaluate stage to compare (required when a run has several)." };
        var markdown = new Option<bool>("--markdown") { Description = "Print a markdown table instead of aligned columns." };
        var json = CommonOptions.Json();
        var command = new Command("compare", "Show two runs' evaluation reports side by side with the difference of each number (b − a).\n\n" +
                                             "Example:\n  align report compare 20261124-090000-aa11bb latest --stage eval")
        {
            left, right, storage, stage, markdown, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var store = new RunStore(cli.Storage(parse.GetValue(storage)));
            var a = await LoadSingleAsync(store, parse.GetValue(left)!, parse.GetValue(stage), cancellationToken);
            var b = await LoadSingleAsync(store, parse.GetValue(right)!, parse.GetValue(stage), cancellationToken);
            if (parse.GetValue(json))
            {
                cli.Out.WriteLine(new JsonObject
                {
                    ["a"] = new JsonObject { ["run_id"] = a.RunId, ["stage"] = a.Stage, ["report"] = JsonNode.Parse(ReportJson.Write(a.Report)) },
                    ["b"] = new JsonObject { ["run_id"] = b.RunId, ["stage"] = b.Stage, ["report"] = JsonNode.Parse(ReportJson.Write(b.Report)) },
                }.ToJsonString(Output.Indented));
                return 0;
            }

            var format = parse.GetValue(markdown) ? ReportFormat.Markdown : ReportFormat.PlainText;
            cli.Out.WriteLine(ReportComparer.Render(a.Report, b.Report, format, $"{a.RunId}/{a.Stage}", $"{b.RunId}/{b.Stage}"));
            return 0;
        });
        return command;
    }

    private static async Task<RunRecord> LoadRunAsync(RunStore store, string id, CancellationToken cancellationToken) =>
        id == "latest"
            ? (await store.ListAsync(cancellationToken)).FirstOrDefault() ?? throw new UserErrorException($"storage '{store.Storage.Uri}' holds no runs yet")
            : await store.LoadAsync(id, cancellationToken);

    private static async Task<(string RunId, string Stage, EvaluationReport Report)> LoadSingleAsync(
        RunStore store, string id, string? stage, CancellationToken cancellationToken)
    {
        var record = await LoadRunAsync(store, id, cancellationToken);
        var reports = await LoadReportsAsync(store, record, stage, cancellationToken);
        if (reports.Count > 1)
        {
            throw new UserErrorException($"run {record.RunId} has several evaluate stages ({string.Join(", ", reports.Select(r => r.Stage))}); choose one with --stage");
        }

        return (record.RunId, reports[0].Stage, reports[0].Report);
    }

    /// <summary>The report of every evaluate stage of the run (or of <paramref name="stage"/>), with its report.md text.</summary>
    private static async Task<IReadOnlyList<(string Stage, EvaluationReport Report, string Markdown)>> LoadReportsAsync(
        RunStore store, RunRecord record, string? stage, CancellationToken cancellationToken)
    {
        var kind = EvaluateStage.Kind.Name;
        var evaluations = record.Stages.Where(s => s.Kind == kind && (stage is null || s.Name == stage)).ToList();
        if (evaluations.Count == 0)
        {
            var what = stage is null ? $"no stage of kind '{kind}'" : $"no {kind} stage named '{stage}'";
            throw new UserErrorException($"run {record.RunId} has {what}; its stages: {string.Join(", ", record.Stages.Select(s => $"{s.Name} ({s.Kind})"))}");
        }

        var reports = new List<(string, EvaluationReport, string)>();
        foreach (var evaluation in evaluations)
        {
            var output = await store.TryLoadOutputAsync(evaluation.Name, evaluation.Fingerprint, cancellationToken)
                ?? throw new UserErrorException($"stage '{evaluation.Name}' of run {record.RunId} has no complete output ({evaluation.Status}); rerun the pipeline");
            var path = output.Path(ReportWriter.ReportJsonFile);
            var report = ReportJson.Read(Encoding.UTF8.GetString(await store.Storage.ReadAllBytesAsync(path, cancellationToken)), path);
            var markdown = Encoding.UTF8.GetString(await store.Storage.ReadAllBytesAsync(output.Path(ReportWriter.ReportMarkdownFile), cancellationToken));
            reports.Add((evaluation.Name, report, markdown));
        }

        return reports;
    }
}
