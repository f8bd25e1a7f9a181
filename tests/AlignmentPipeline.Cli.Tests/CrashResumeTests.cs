using AlignmentPipeline.TestSupport;

namespace AlignmentPipeline.Cli.Tests;

/// <summary>
/// kill -9 at random moments, then rerun: the outputs must be byte-identical to an uninterrupted run. Each trial kills
/// a real <c>align run</c> process and resumes it.
/// </summary>
public sealed class CrashResumeTests
{
    private const string Pipeline = """
        name: crash
        stages:
          ingest:
            kind: ingest
            inputs: ["corpus/*.jsonl"]
            row_group_rows: 2000
        """;

    [Fact]
    public async Task Killing_a_run_at_random_points_then_rerunning_gives_byte_identical_outputs()
    {
        using var temp = new TempDirectory("align-crash");
        for (int f = 0; f < 6; f++)
        {
            CorpusFiles.Write(temp.File($"corpus/part{f}.jsonl"), 8_000, seed: f);
        }

        temp.Write("p.yaml", Pipeline);
        var reference = await AlignProcess.RunAsync(temp.Path, "run", "p.yaml", "--storage", "reference", "--parallel", "2");
        Assert.True(reference.ExitCode == 0, reference.Error);
        var expected = Snapshot(Path.Combine(temp.Path, "reference"));
        Assert.Contains(expected.Keys, k => k.EndsWith("manifest.json", StringComparison.Ordinal));

        var random = new Random(20261125);
        int killedMidway = 0;
        for (int trial = 0; trial < 20; trial++)
        {
            string storage = $"trial{trial}";
            using (var process = AlignProcess.Start(temp.Path, "run", "p.yaml", "--storage", storage, "--parallel", "2"))
            {
                await Task.Delay(random.Next(100, 1800), TestContext.Current.CancellationToken);
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    killedMidway++;
                }

                await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            }

            var rerun = await AlignProcess.RunAsync(temp.Path, "run", "p.yaml", "--storage", storage, "--parallel", "2");
            Assert.True(rerun.ExitCode == 0, $"trial {trial}: {rerun.Error}");
            var actual = Snapshot(Path.Combine(temp.Path, storage));
            Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
            foreach (var (file, bytes) in expected)
            {
                Assert.True(bytes.AsSpan().SequenceEqual(actual[file]), $"trial {trial}: {file} differs from the uninterrupted run");
            }
        }

        Assert.True(killedMidway >= 10, $"only {killedMidway} of 20 trials were killed before finishing; the test did not exercise crashes");
    }

    /// <summary>Every published file under stages/ (locks and temporary files excluded), by relative path.</summary>
    private static Dictionary<string, byte[]> Snapshot(string storage) =>
        Directory.EnumerateFiles(Path.Combine(storage, "stages"), "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".lock", StringComparison.Ordinal) && !f.Contains(".tmp-", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(storage, f), File.ReadAllBytes);
}
