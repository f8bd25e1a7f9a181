using System.Diagnostics;
using AlignmentPipeline.TestSupport;

namespace AlignmentPipeline.Cli.Tests;

public sealed class InterruptTests
{
    [Fact]
    public async Task Ctrl_C_cancels_cleanly_and_a_rerun_resumes_from_completed_tasks()
    {
        using var temp = new TempDirectory("align-sigint");
        for (int f = 0; f < 8; f++)
        {
            CorpusFiles.Write(temp.File($"corpus/{f}.jsonl"), 20_000, seed: 100 + f);
        }

        temp.Write("p.yaml", "name: interrupted\nstages:\n  ingest: { kind: ingest, inputs: [\"corpus/*.jsonl\"] }\n");
        using var process = AlignProcess.Start(temp.Path, "run", "p.yaml", "--storage", "store", "--parallel", "1");
        var error = new System.Text.StringBuilder();
        var computing = new TaskCompletionSource();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (error)
            {
                error.AppendLine(e.Data);
            }

            if (e.Data?.Contains("ingest: computing", StringComparison.Ordinal) == true)
            {
                computing.TrySetResult();
            }
        };
        process.BeginErrorReadLine();
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await computing.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        await stdout;
        string log;
        lock (error)
        {
            log = error.ToString();
        }

        Assert.True(process.ExitCode == 1, $"exit {process.ExitCode}; the run may have finished before the signal:\n{log}");
        Assert.Contains("cancelled; completed work is kept", log, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", log, StringComparison.Ordinal);

        var runs = await AlignProcess.RunAsync(temp.Path, "runs", "--storage", "store", "--json");
        Assert.Contains("\"status\": \"cancelled\"", runs.Out, StringComparison.Ordinal);

        var rerun = await AlignProcess.RunAsync(temp.Path, "run", "p.yaml", "--storage", "store", "--json");
        Assert.True(rerun.ExitCode == 0, rerun.Error);
        Assert.Contains("\"status\": \"computed\"", rerun.Out, StringComparison.Ordinal);
        Assert.Contains("\"rows_out\": 160000", rerun.Out, StringComparison.Ordinal);
    }
}
