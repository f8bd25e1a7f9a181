using System.Diagnostics;

namespace AlignmentPipeline.Cli.Tests;

/// <summary>Runs the real <c>align</c> executable (built beside the tests) as a child process.</summary>
internal static class AlignProcess
{
    private static string AlignDll => Path.Combine(AppContext.BaseDirectory, "align.dll");

    public static Process Start(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(AlignDll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("ALIGN_STORAGE");
        start.Environment["OMP_NUM_THREADS"] = "1"; // one libtorch thread: tests share a 2-core box, and results then do not depend on its core count
        return Process.Start(start) ?? throw new InvalidOperationException("could not start align");
    }

    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(string workingDirectory, params string[] args)
    {
        using var process = Start(workingDirectory, args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output, await error);
    }
}
