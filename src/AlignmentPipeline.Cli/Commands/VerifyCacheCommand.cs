using System.CommandLine;
using System.Globalization;
using AlignmentPipeline.Modeling.ReferenceCache;

namespace AlignmentPipeline.Cli.Commands;

/// <summary><c>align verify-cache</c>: recomputes a sample of a reference log-prob cache live and checks the rest.</summary>
internal static class VerifyCacheCommand
{
    public static Command Create(CliContext cli)
    {
        var runId = new Argument<string>("run-id") { Description = "A run id from 'align runs' (or 'latest')." };
        var stage = new Option<string>("--stage") { Description = "The ref-logprobs stage to verify.", Required = true };
        var sample = new Option<int>("--sample") { Description = "Rows recomputed live, drawn at random (default 32).", DefaultValueFactory = _ => 32 };
        var seed = new Option<int>("--seed") { Description = "Seed of the random draw (default 0).", DefaultValueFactory = _ => 0 };
        var tolerance = new Option<double>("--tolerance") { Description = "Largest accepted |cached - live| of a log-prob sum (default 1e-4).", DefaultValueFactory = _ => 1e-4 };
        var device = new Option<string>("--device") { Description = "auto, cpu or cuda (default auto).", DefaultValueFactory = _ => "auto" };
        var storage = CommonOptions.Storage();
        var command = new Command("verify-cache",
            "Check a reference log-prob cache: every input pair cached or quarantined, no NaN/Inf or positive log-probs, " +
            "model files unchanged, and a seeded random sample recomputed live matches (values and token counts). Exit 1 on any problem.\n\n" +
            "Examples:\n  align verify-cache latest --stage ref\n  align verify-cache 20261125-120000-ab12cd --stage ref --sample 200 --storage ./runs")
        {
            runId, stage, sample, seed, tolerance, device, storage,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new CacheVerifierOptions(parse.GetValue(sample), parse.GetValue(seed), parse.GetValue(tolerance), parse.GetValue(device)!);
            var result = await CacheVerifier.VerifyAsync(cli.Storage(parse.GetValue(storage)), parse.GetValue(runId)!, parse.GetValue(stage)!, options, cancellationToken);
            foreach (var problem in result.Problems)
            {
                cli.Out.WriteLine($"problem: {problem}");
            }

            string verdict = result.Ok ? "ok" : $"{result.Problems.Count} problem{(result.Problems.Count == 1 ? "" : "s")}";
            cli.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.Rows:N0} rows checked, {result.Sampled} recomputed live, max |cached - live| = {result.MaxAbsDifference:G3}: {verdict}"));
            return result.Ok ? 0 : 1;
        });
        return command;
    }
}
