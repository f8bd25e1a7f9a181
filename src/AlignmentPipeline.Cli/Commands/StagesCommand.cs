using System.CommandLine;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Configuration;

namespace AlignmentPipeline.Cli.Commands;

/// <summary><c>align stages</c>: every stage kind with its options, defaults and meaning (from the options types).</summary>
internal static class StagesCommand
{
    public static Command Create(CliContext cli)
    {
        var json = CommonOptions.Json();
        var markdown = new Option<bool>("--markdown") { Description = "Print the pipeline YAML reference (docs/pipeline-reference.md is this output)." };
        var command = new Command("stages", "List stage kinds and their options with defaults.\n\nExamples:\n  align stages\n  align stages --json\n" +
                                            "  align stages --markdown > docs/pipeline-reference.md")
        {
            json, markdown,
        };
        command.SetAction(parse =>
        {
            var catalog = StageCatalog.Create();
            if (parse.GetValue(markdown))
            {
                cli.Out.Write(PipelineReference.Render(catalog));
                return 0;
            }

            if (parse.GetValue(json))
            {
                var array = new JsonArray(catalog.All.Select(k => (JsonNode)new JsonObject
                {
                    ["kind"] = k.Name,
                    ["version"] = k.Version,
                    ["description"] = k.Description,
                    ["input"] = k.Inputs.ToString().ToLowerInvariant(),
                    ["options"] = new JsonArray(OptionDocs.Describe(k.OptionsType).Select(o => (JsonNode)o.ToJson()).ToArray()),
                }).ToArray());
                cli.Out.WriteLine(array.ToJsonString(Output.Indented));
                return 0;
            }

            foreach (var kind in catalog.All)
            {
                cli.Out.WriteLine($"{kind.Name} (v{kind.Version}, input: {kind.Inputs.ToString().ToLowerInvariant()}): {kind.Description}");
                foreach (var option in OptionDocs.Describe(kind.OptionsType))
                {
                    cli.Out.WriteLine($"  {option.Key,-24} {option.Type,-18} default {option.Default,-12} {option.Description}");
                }

                cli.Out.WriteLine();
            }

            return 0;
        });
        return command;
    }
}
