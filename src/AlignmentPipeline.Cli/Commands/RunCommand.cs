using System.CommandLine;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Runs;

namespace AlignmentPipeline.Cli.Commands;

/// <summary><c>align run</c>: runs a pipeline, reusing every stage whose output exists.</summary>
internal static class RunCommand
{
    public static Command Create(CliContext cli)
    {
        var pipeline = CommonOptions.Pipeline();
        var storage = CommonOptions.Storage();
        var set = CommonOptions.Set();
        var force = new Option<string[]>("--force") { Description = "Recompute this stage even if its output exists (repeatable)." };
        var parallel = new Option<int?>("--parallel") { Description = "Tasks of a stage run at once (default: number of cores)." };
        var json = CommonOptions.Json();
        var verbose = new Option<bool>("--verbose") { Description = "More log lines; stack traces on errors." };
        var command = new Command("run", "Run a pipeline: compute what changed, reuse the rest, resume after a crash.\n\n" +
                                         "Examples:\n  align run pipelines/demo.yaml\n  align run pipelines/demo.yaml --set beta=0.2\n  align run p.yaml --force dedup --json")
        {
            pipeline, storage, set, force, parallel, json, verbose,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var spec = new PipelineLoader(StageCatalog.Create(), cli.Environment)
                .LoadFile(parse.GetValue(pipeline)!, CommonOptions.ParseSets(parse.GetValue(set)));
            string[] forced = parse.GetValue(force) ?? [];
            foreach (string stage in forced.Where(f => spec.Stages.All(s => s.Name != f)))
            {
                throw new Core.UserErrorException($"--force {stage}: no such stage; stages: {string.Join(", ", spec.Stages.Select(s => s.Name))}");
            }

            var store = cli.Storage(parse.GetValue(storage), spec.Storage);
            var runner = new PipelineRunner(new RunOptions
            {
                Storage = store,
                Force = forced.ToHashSet(StringComparer.Ordinal),
                Executor = new LocalExecutor(parse.GetValue(parallel) ?? Environment.ProcessorCount),
                Log = cli.Log(parse.GetValue(verbose)),
                InteractiveProgress = cli.ErrorIsTerminal,
            });
            var record = await runner.RunAsync(spec, cancellationToken);
            if (parse.GetValue(json))
            {
                cli.Out.WriteLine(record.ToJson().ToJsonString(Output.Indented));
            }
            else
            {
                Output.PrintRun(cli.Out, record);
                if (record.Stages.All(s => s.Status == StageStatus.Reused))
                {
                    cli.Out.WriteLine("Nothing changed: every stage was reused.");
                }
            }

            return 0;
        });
        return command;
    }
}
