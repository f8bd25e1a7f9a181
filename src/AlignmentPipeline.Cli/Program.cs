using AlignmentPipeline.Cli;

// Ctrl+C (or SIGTERM) cancels cleanly: running tasks stop, completed tasks stay, and a rerun resumes.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
using var termination = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancellation.Cancel();
});

var cli = new CliContext(Console.Out, Console.Error, Environment.GetEnvironmentVariable) { ErrorIsTerminal = !Console.IsErrorRedirected };
return await AlignApp.RunAsync(args, cli, cancellation.Token);
