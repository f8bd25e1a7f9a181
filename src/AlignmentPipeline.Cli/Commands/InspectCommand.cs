using System.CommandLine;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Cli.Commands;

/// <summary><c>align inspect</c>: a run's stages, or rows of one stage's output or quarantine.</summary>
internal static class InspectCommand
{
    public static Command Create(CliContext cli)
    {
        var runId = new Argument<string>("run-id") { Description = "A run id from 'align runs' (or 'latest')." };
        var storage = CommonOptions.Storage();
        var stage = new Option<string?>("--stage") { Description = "Show one stage: its stats, or its rows with --rows." };
        var rows = new Option<int?>("--rows") { Description = "Print the first N rows of the stage output as JSON lines." };
        var quarantine = new Option<bool>("--quarantine") { Description = "With --rows: print quarantined rows instead." };
        var json = CommonOptions.Json();
        var command = new Command("inspect", "Show what a run did, or the rows a stage produced.\n\nExamples:\n" +
                                             "  align inspect latest\n  align inspect 20261125-120000-ab12cd --stage ingest --rows 5\n" +
                                             "  align inspect latest --stage ingest --rows 20 --quarantine")
        {
            runId, storage, stage, rows, quarantine, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var store = new RunStore(cli.Storage(parse.GetValue(storage)));
            string id = parse.GetValue(runId)!;
            var record = id == "latest"
                ? (await store.ListAsync(cancellationToken)).FirstOrDefault() ?? throw new UserErrorException($"storage '{store.Storage.Uri}' holds no runs yet")
                : await store.LoadAsync(id, cancellationToken);
            string? stageName = parse.GetValue(stage);
            if (stageName is null)
            {
                if (parse.GetValue(json))
                {
                    cli.Out.WriteLine(record.ToJson().ToJsonString(Output.Indented));
                }
                else
                {
                    Output.PrintRun(cli.Out, record);
                }

                return 0;
            }

            var stageRecord = record.Stages.FirstOrDefault(s => s.Name == stageName)
                ?? throw new UserErrorException($"run {record.RunId} has no stage '{stageName}'; stages: {string.Join(", ", record.Stages.Select(s => s.Name))}");
            var output = await store.TryLoadOutputAsync(stageRecord.Name, stageRecord.Fingerprint, cancellationToken)
                ?? throw new UserErrorException($"stage '{stageName}' of run {record.RunId} has no complete output ({stageRecord.Status}); rerun the pipeline");
            if (parse.GetValue(rows) is { } limit)
            {
                var parts = parse.GetValue(quarantine)
                    ? output.Files.Where(f => f.StartsWith("quarantine/", StringComparison.Ordinal) && f.EndsWith(".parquet", StringComparison.Ordinal)).Select(output.Path).ToList()
                    : output.Parts;
                await PrintRowsAsync(cli.Out, store.Storage, parts, limit, cancellationToken);
                return 0;
            }

            var manifest = await store.LoadManifestAsync(output, cancellationToken);
            cli.Out.WriteLine(parse.GetValue(json)
                ? manifest.ToJson().ToJsonString(Output.Indented)
                : $"{stageName} ({manifest.Kind}) {output.Prefix}\nstats: {manifest.Stats.ToJsonString(Output.Indented)}\nfiles: {string.Join(", ", manifest.Files.Select(f => f.Path))}");
            return 0;
        });
        return command;
    }

    private static async Task PrintRowsAsync(TextWriter writer, IStorage storage, IReadOnlyList<string> parts, int limit, CancellationToken cancellationToken)
    {
        int printed = 0;
        foreach (string part in parts)
        {
            await foreach (var row in ParquetTableReader.ReadAsync(storage, part, cancellationToken))
            {
                if (printed++ >= limit)
                {
                    return;
                }

                writer.WriteLine(row.ToJson().ToJsonString());
            }
        }
    }
}
