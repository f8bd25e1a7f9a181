using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core;
using AlignmentPipeline.Evaluation.Agreement;
using AlignmentPipeline.Evaluation.Judges;
using AlignmentPipeline.Evaluation.Judges.RewardModel;
using AlignmentPipeline.Evaluation.Judges.Rules;
using AlignmentPipeline.Evaluation.Statistics;
using AlignmentPipeline.Modeling.Runtime;

namespace AlignmentPipeline.Cli.Commands;

/// <summary><c>align eval agreement</c>: how often judges agree with human labels.</summary>
internal static class EvalCommand
{
    public static Command Create(CliContext cli) =>
        new("eval", "Evaluate judges and evaluations themselves.") { Agreement(cli) };

    private static Command Agreement(CliContext cli)
    {
        var data = new Argument<string>("labelled-pairs")
        {
            Description = "JSON array or JSONL of {prompt | instruction[, input]}, response1, response2 and label (1, 2, 0 = tie) " +
                          "or annotator1..N (majority), e.g. PandaLM's testset-v1.json.",
        };
        var judges = new Option<string[]>("--judge")
        {
            Description = "A judge as type:argument (repeatable). rule:<scorer> with a registered scorer " +
                          $"({string.Join(", ", RuleScorerRegistry.CreateDefault().Names)}), or reward_model:<folder> with the model/ " +
                          "folder of a reward-model stage. Default: every rule scorer.",
            AllowMultipleArgumentsPerToken = false,
        };
        var tieMargin = new Option<double>("--tie-margin") { Description = "rule judges: score differences up to this are ties. Default: 0." };
        var resamples = new Option<int>("--resamples") { Description = "Bootstrap resamples of the agreement interval.", DefaultValueFactory = _ => 2000 };
        var seed = new Option<int>("--seed") { Description = "Bootstrap seed.", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--output") { Description = "Also write the result as JSON to this file." };
        var json = CommonOptions.Json();
        var command = new Command("agreement",
            "Judge every human-labelled pair and report how often the judge agrees with the human majority: agreement with a " +
            "95% bootstrap interval and Cohen's kappa, with ties as a third label and with tie pairs left out, and the label counts.\n\n" +
            "Examples:\n  align eval agreement ../shared/data/preferences/pandalm-testset/testset-v1.json\n" +
            "  align eval agreement labelled.jsonl --judge rule:length --output agreement.json")
        {
            data, judges, tieMargin, resamples, seed, output, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var margin = parse.GetValue(tieMargin);
            if (!(margin >= 0))
                throw new UserErrorException($"--tie-margin {margin}: must be zero or positive");
            if (parse.GetValue(resamples) < 1)
                throw new UserErrorException($"--resamples {parse.GetValue(resamples)}: must be at least 1");
            var specs = parse.GetValue(judges) is { Length: > 0 } given ? given : RuleScorerRegistry.CreateDefault().Names.Select(n => $"rule:{n}").ToArray();
            var created = specs.Select(spec => CreateJudge(spec, margin)).ToList();
            var path = parse.GetValue(data)!;
            var pairs = HumanLabelledPairs.Load(path);
            var bootstrap = new BootstrapOptions { Resamples = parse.GetValue(resamples), Seed = parse.GetValue(seed) };
            var reports = new List<AgreementReport>();
            foreach (var judge in created)
            {
                reports.Add(await AgreementEvaluation.RunAsync(judge, pairs, bootstrap, cancellationToken: cancellationToken));
                (judge as IDisposable)?.Dispose();
            }

            var result = new JsonObject { ["data"] = path, ["judges"] = new JsonArray(reports.Select(r => (JsonNode)r.ToJson()).ToArray()) };
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file, result.ToJsonString(Output.Indented) + "\n", cancellationToken);
            }

            if (parse.GetValue(json))
            {
                cli.Out.WriteLine(result.ToJsonString(Output.Indented));
                return 0;
            }

            cli.Out.WriteLine($"{path}: {pairs.Count} rows, {reports[0].Unlabelled} without a human majority, " +
                              $"{reports[0].MissingResponse} with a non-text response (invalid); human labels of the rest: {Labels(reports[0].Summary.Human)}");
            Output.Table(cli.Out, ["judge", "n", "agreement [95% CI]", "kappa", "n w/o ties", "agreement w/o ties [95% CI]", "kappa w/o ties", "judge labels", "invalid"],
                reports.Select(r => new[]
                {
                    r.Judge, Number(r.Summary.N), Interval(r.Summary.Accuracy, r.Summary.AccuracyCiLow, r.Summary.AccuracyCiHigh),
                    Rate(r.Summary.CohenKappa), Number(r.Summary.NExcludingTies),
                    Interval(r.Summary.AccuracyExcludingTies, r.Summary.AccuracyExcludingTiesCiLow, r.Summary.AccuracyExcludingTiesCiHigh),
                    Rate(r.Summary.CohenKappaExcludingTies), Labels(r.Summary.Judge), Number(r.Summary.Invalid),
                }));
            return 0;
        });
        return command;
    }

    /// <summary>
    /// A judge from its <c>type:argument</c> spec: <c>rule:&lt;scorer&gt;</c> or <c>reward_model:&lt;folder&gt;</c> (a
    /// reward-model stage's <c>model/</c> folder, run on the CPU). Only judges that run offline over text pairs belong
    /// here; a new kind of judge is one more case.
    /// </summary>
    private static IJudge CreateJudge(string spec, double tieMargin)
    {
        int colon = spec.IndexOf(':', StringComparison.Ordinal);
        var (type, argument) = colon < 0 ? (spec, "") : (spec[..colon], spec[(colon + 1)..]);
        var registry = RuleScorerRegistry.CreateDefault();
        return type switch
        {
            "rule" when registry.Names.Contains(argument) => new RuleJudge(registry.Create(argument), tieMargin),
            "reward_model" when Directory.Exists(argument) => RewardModelJudge.Load(argument, argument, tieMargin, ModelRuntimeOptions.Cpu),
            "reward_model" => throw new UserErrorException(
                $"--judge '{spec}': '{argument}' is not a folder; give the model/ folder of a reward-model stage output"),
            _ => throw new UserErrorException(
                $"--judge '{spec}': unknown judge; known judges: {string.Join(", ", registry.Names.Select(n => $"rule:{n}"))}, " +
                "reward_model:<folder of a trained reward model>"),
        };
    }

    private static string Labels(LabelCounts c) => $"1st {c.First}, 2nd {c.Second}, tie {c.Tie}";

    private static string Number(int value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Rate(double? value) => value?.ToString("0.000", CultureInfo.InvariantCulture) ?? "n/a";

    private static string Interval(double? value, double? low, double? high) =>
        value is null ? "n/a" : $"{Rate(value)} [{Rate(low)}, {Rate(high)}]";
}
