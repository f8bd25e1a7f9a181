using System.CommandLine;
using AlignmentPipeline.Core.Configuration;

namespace AlignmentPipeline.Cli.Commands;

/// <summary><c>align validate</c>: checks a pipeline and reports every problem with file:line:col.</summary>
internal static class ValidateCommand
{
    public static Command Create(CliContext cli)
    {
        var pipeline = CommonOptions.Pipeline();
        var set = CommonOptions.Set();
        var command = new Command("validate", "Check a pipeline file without running it; all problems are reported together.\n\n" +
                                              "Example:\n  align validate pipelines/demo.yaml")
        {
            pipeline, set,
        };
        command.SetAction(parse =>
        {
            var spec = new PipelineLoader(StageCatalog.Create(), cli.Environment)
                .LoadFile(parse.GetValue(pipeline)!, CommonOptions.ParseSets(parse.GetValue(set)));
            cli.Out.WriteLine($"{spec.SourceFile}: ok, pipeline '{spec.Name}' with {spec.Stages.Count} stages: {string.Join(" → ", spec.Stages.Select(s => s.Name))}");
            return 0;
        });
        return command;
    }
}
