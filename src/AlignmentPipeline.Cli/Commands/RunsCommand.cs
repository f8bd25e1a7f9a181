using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Runs;

namespace AlignmentPipeline.Cli.Commands;

/// <summary><c>align runs</c>: run records, newest first.</summary>
internal static class RunsCommand
{
    public static Command Create(CliContext cli)
    {
        var storage = CommonOptions.Storage();
        var json = CommonOptions.Json();
        var command = new Command("runs", "List runs in a storage, newest first.\n\nExample:\n  align runs --storage ./runs --json") { storage, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var runs = await new RunStore(cli.Storage(parse.GetValue(storage))).ListAsync(cancellationToken);
            if (parse.GetValue(json))
            {
                cli.Out.WriteLine(new JsonArray(runs.Select(r => (JsonNode)r.ToJson()).ToArray()).ToJsonString(Output.Indented));
                return 0;
            }

            if (runs.Count == 0)
            {
                cli.Out.WriteLine("no runs yet");
                return 0;
            }

            Output.Table(cli.Out, ["run", "pipeline", "status", "started", "seconds", "computed", "reused"],
                runs.Select(r => new[]
                {
                    r.RunId, r.Pipeline, r.Status, r.StartedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    r.EndedAt is { } end ? (end - r.StartedAt).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) : "",
                    r.Stages.Count(s => s.Status == StageStatus.Computed).ToString(CultureInfo.InvariantCulture),
                    r.Stages.Count(s => s.Status == StageStatus.Reused).ToString(CultureInfo.InvariantCulture),
                }));
            return 0;
        });
        return command;
    }
}
