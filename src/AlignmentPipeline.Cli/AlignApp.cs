using System.CommandLine;
using AlignmentPipeline.Cli.Commands;
using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Configuration;

namespace AlignmentPipeline.Cli;

/// <summary>
/// The <c>align</c> command. Exit codes: 0 success, 1 runtime failure (or cancelled), 2 usage or configuration error.
/// User errors print one line per problem with its location and a fix, never a stack trace (unless --verbose).
/// </summary>
internal static class AlignApp
{
    public const int Ok = 0;
    public const int RuntimeFailure = 1;
    public const int UserError = 2;

    public static async Task<int> RunAsync(string[] args, CliContext cli, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("align: batch preference alignment pipelines (ingest → dedup → reference log-probs → DPO → evaluation).")
        {
            RunCommand.Create(cli),
            ValidateCommand.Create(cli),
            PlanCommand.Create(cli),
            RunsCommand.Create(cli),
            InspectCommand.Create(cli),
            StagesCommand.Create(cli),
            ReportCommand.Create(cli),
            EvalCommand.Create(cli),
            VerifyCacheCommand.Create(cli),
            ModelCommand.Create(cli),
        };

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                cli.Error.WriteLine($"error: {error.Message}");
            }

            cli.Error.WriteLine("Run 'align --help' for usage.");
            return UserError;
        }

        bool verbose = args.Contains("--verbose");
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                Output = cli.Out,
                Error = cli.Error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            }, cancellationToken);
        }
        catch (ConfigException e)
        {
            foreach (var error in e.Errors)
            {
                cli.Error.WriteLine($"error: {error}");
            }

            cli.Error.WriteLine($"{e.Errors.Count} problem{(e.Errors.Count == 1 ? "" : "s")} found; nothing was run.");
            return UserError;
        }
        catch (UserErrorException e)
        {
            cli.Error.WriteLine($"error: {e.Message}");
            if (verbose)
            {
                cli.Error.WriteLine(e);
            }

            return UserError;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            cli.Error.WriteLine("cancelled; completed work is kept: rerun the same command to resume");
            return RuntimeFailure;
        }
        catch (Exception e)
        {
            cli.Error.WriteLine($"error: {e.Message}");
            cli.Error.WriteLine(verbose ? e.ToString() : "(run with --verbose for details)");
            return RuntimeFailure;
        }
    }
}
