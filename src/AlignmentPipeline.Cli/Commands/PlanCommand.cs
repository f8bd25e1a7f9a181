using System.CommandLine;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Runs;

namespace AlignmentPipeline.Cli.Commands;

/// <summary><c>align plan</c>: what a run would do, stage by stage.</summary>
internal static class PlanCommand
{
    public static Command Create(CliContext cli)
    {
        var pipeline = CommonOptions.Pipeline();
        var storage = CommonOptions.Storage();
        var set = CommonOptions.Set();
        var json = CommonOptions.Json();
        var command = new Command("plan", "Show stages in order with their fingerprints and whether a run would reuse or compute them.\n\n" +
                                          "Example:\n  align plan pipelines/demo.yaml --set beta=0.2")
        {
            pipeline, storage, set, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var spec = new PipelineLoader(StageCatalog.Create(), cli.Environment)
                .LoadFile(parse.GetValue(pipeline)!, CommonOptions.ParseSets(parse.GetValue(set)));
            var runner = new PipelineRunner(new RunOptions { Storage = cli.Storage(parse.GetValue(storage), spec.Storage) });
            var plan = await runner.PlanAsync(spec, cancellationToken);
            if (parse.GetValue(json))
            {
                var array = new JsonArray(plan.Select(p => (JsonNode)new JsonObject
                {
                    ["stage"] = p.Spec.Name,
                    ["kind"] = p.Spec.Kind.Name,
                    ["fingerprint"] = p.Fingerprint,
                    ["action"] = p.Exists ? "reuse" : "run",
                    ["inputs"] = new JsonArray(p.Spec.Dependencies.Select(d => (JsonNode)d).ToArray()),
                }).ToArray());
                cli.Out.WriteLine(array.ToJsonString(Output.Indented));
                return 0;
            }

            Output.Table(cli.Out, ["stage", "kind", "fingerprint", "action", "reads"],
                plan.Select(p => new[] { p.Spec.Name, p.Spec.Kind.Name, p.Fingerprint[..12], p.Exists ? "reuse" : "run", string.Join(", ", p.Spec.Dependencies) }));
            return 0;
        });
        return command;
    }
}
