using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AlignmentPipeline.Cli.Tests;

/// <summary>
/// The demo pipeline end to end through the real <c>align</c> process (issue 9): the report's schema, reuse on rerun,
/// exactly the downstream stages after a parameter change, the report commands, and resume after kill -9 mid-training.
/// </summary>
public sealed partial class DemoEndToEndTests(DemoRunFixture demo) : IClassFixture<DemoRunFixture>
{
    private static readonly string[] Upstream = ["corpus", "ingest", "exact", "signatures", "clusters", "dedup", "filter", "split", "sft", "ref"];
    private static readonly string[] AfterDpo = ["dpo", "answers", "evaluate", "implicit_reward"];

    [Fact]
    public void The_demo_report_has_every_field_of_the_documented_schema_with_consistent_numbers()
    {
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(demo.StageFolder(demo.Storage, demo.FirstRun, "evaluate"), "report.json")))!.AsObject();
        var documented = DocumentedFields(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "report-schema.md")));

        Assert.Equal("succeeded", demo.FirstRun["status"]!.GetValue<string>());
        Assert.True(documented.Count >= 20, $"read only {documented.Count} fields from docs/report-schema.md");
        Assert.All(documented, field => Assert.True(report.ContainsKey(field), $"report.json lacks the documented field '{field}'"));
        Assert.Equal(("rule:lexicon-sentiment", "dpo", "sft", "rule"), (report["judge"]!.GetValue<string>(),
            report["candidate"]!.GetValue<string>(), report["baseline"]!.GetValue<string>(), report["judge_fields"]!["type"]!.GetValue<string>()));
        int n = report["n"]!.GetValue<int>(), wins = report["wins"]!.GetValue<int>(), losses = report["losses"]!.GetValue<int>(), ties = report["ties"]!.GetValue<int>();
        Assert.Equal(6, n + report["invalid"]!.GetValue<int>());
        Assert.Equal(n, wins + losses + ties);
        Assert.Equal((wins + ties / 2.0) / n, report["win_rate"]!.GetValue<double>(), 12);
        Assert.InRange(report["win_rate"]!.GetValue<double>(), report["ci_low"]!.GetValue<double>(), report["ci_high"]!.GetValue<double>());
    }

    [Fact]
    public async Task A_rerun_with_nothing_changed_reuses_every_stage_within_seconds()
    {
        var clock = Stopwatch.StartNew();
        var rerun = await demo.RunDemoAsync(demo.Storage);
        var elapsed = clock.Elapsed;

        TestContext.Current.SendDiagnosticMessage($"demo, small set: first run {demo.FirstRunTime.TotalSeconds:F1} s, rerun {elapsed.TotalSeconds:F1} s (process included)");
        Assert.All(DemoRunFixture.Stages(rerun), s => Assert.Equal("reused", s.Value.Status));
        Assert.Equal(DemoRunFixture.Stages(demo.FirstRun).Select(s => s.Value.Fingerprint), DemoRunFixture.Stages(rerun).Select(s => s.Value.Fingerprint));
        var recorded = DateTimeOffset.Parse(rerun["ended_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
                       - DateTimeOffset.Parse(rerun["started_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(recorded < TimeSpan.FromSeconds(10), $"the all-reused run took {recorded.TotalSeconds:F1} s by its record");
        Assert.True(elapsed < demo.FirstRunTime / 2, $"rerun {elapsed.TotalSeconds:F1} s is not much faster than the first run {demo.FirstRunTime.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task Setting_beta_recomputes_exactly_dpo_and_what_follows_and_report_compare_shows_both_runs()
    {
        var changed = await demo.RunDemoAsync(demo.Storage, "--set", "beta=0.2");

        var stages = DemoRunFixture.Stages(changed);
        Assert.Equal(AfterDpo.Order(StringComparer.Ordinal), stages.Where(s => s.Value.Status == "computed").Select(s => s.Key).Order(StringComparer.Ordinal));
        Assert.Equal(Upstream.Order(StringComparer.Ordinal), stages.Where(s => s.Value.Status == "reused").Select(s => s.Key).Order(StringComparer.Ordinal));

        string first = demo.FirstRun["run_id"]!.GetValue<string>(), second = changed["run_id"]!.GetValue<string>();
        var report = await AlignProcess.RunAsync(demo.Temp.Path, "report", second, "--storage", demo.Storage);
        Assert.True(report.ExitCode == 0, report.Error);
        Assert.Contains($"# run {second}, stage evaluate", report.Out, StringComparison.Ordinal);
        Assert.Contains($"# run {second}, stage implicit_reward", report.Out, StringComparison.Ordinal);

        var json = await AlignProcess.RunAsync(demo.Temp.Path, "report", second, "--storage", demo.Storage, "--stage", "evaluate", "--json");
        Assert.True(json.ExitCode == 0, json.Error);
        var onDisk = JsonNode.Parse(File.ReadAllText(Path.Combine(demo.StageFolder(demo.Storage, changed, "evaluate"), "report.json")));
        Assert.True(JsonNode.DeepEquals(onDisk, JsonNode.Parse(json.Out)!["evaluate"]), $"align report --json differs from report.json:\n{json.Out}");

        var compare = await AlignProcess.RunAsync(demo.Temp.Path, "report", "compare", first, second, "--storage", demo.Storage, "--stage", "implicit_reward", "--json");
        Assert.True(compare.ExitCode == 0, compare.Error);
        var sides = JsonNode.Parse(compare.Out)!;
        Assert.Equal((first, second), (sides["a"]!["run_id"]!.GetValue<string>(), sides["b"]!["run_id"]!.GetValue<string>()));
        Assert.Equal(0.1, sides["a"]!["report"]!["judge_fields"]!["beta"]!.GetValue<double>(), 12);
        Assert.Equal(0.2, sides["b"]!["report"]!["judge_fields"]!["beta"]!.GetValue<double>(), 12);

        var table = await AlignProcess.RunAsync(demo.Temp.Path, "report", "compare", first, second, "--storage", demo.Storage, "--stage", "evaluate");
        Assert.True(table.ExitCode == 0, table.Error);
        Assert.Contains($"{first}/evaluate", table.Out, StringComparison.Ordinal);
        Assert.Contains($"{second}/evaluate", table.Out, StringComparison.Ordinal);
        Assert.Matches(@"win rate\s+\S+\s+\S+\s+[+-]?\d", table.Out);

        var several = await AlignProcess.RunAsync(demo.Temp.Path, "report", "compare", first, second, "--storage", demo.Storage);
        Assert.Equal(2, several.ExitCode);
        Assert.Contains("has several evaluate stages (evaluate, implicit_reward); choose one with --stage", several.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kill_9_during_sft_then_rerun_resumes_from_a_checkpoint_and_trains_the_same_weights_bitwise()
    {
        const string storage = "killed";
        var firstCheckpoint = await KillAfterFirstCheckpointAsync(storage, "sft");
        var sftFolder = demo.StageFolder(storage, demo.FirstRun, "sft");
        Assert.False(File.Exists(Path.Combine(sftFolder, "manifest.json")), "sft finished before the kill landed; the test did not interrupt training");

        var rerun = await AlignProcess.RunAsync(demo.Temp.Path, ["run", demo.DemoYaml, "--storage", storage, "--json", .. DemoRunFixture.SmallParams]);

        Assert.True(rerun.ExitCode == 0, rerun.Error);
        var resumedFrom = ResumedFrom().Match(rerun.Error);
        Assert.True(resumedFrom.Success, $"the rerun did not resume sft from a checkpoint:\n{rerun.Error}");
        Assert.True(string.CompareOrdinal(resumedFrom.Groups["folder"].Value, firstCheckpoint) >= 0,
            $"resumed from {resumedFrom.Groups["folder"].Value}, older than {firstCheckpoint} which was saved before the kill");
        var resumed = JsonNode.Parse(rerun.Out)!.AsObject();
        Assert.Equal(DemoRunFixture.Stages(demo.FirstRun).Select(s => s.Value.Fingerprint), DemoRunFixture.Stages(resumed).Select(s => s.Value.Fingerprint));
        foreach (var stage in new[] { "sft", "dpo" })
        {
            var expected = ModelFiles(demo.StageFolder(demo.Storage, demo.FirstRun, stage));
            var actual = ModelFiles(demo.StageFolder(storage, resumed, stage));
            Assert.NotEmpty(expected);
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
            Assert.All(expected, file => Assert.True(file.Value.AsSpan().SequenceEqual(actual[file.Key]),
                $"{stage}/{file.Key} differs from the uninterrupted run's"));
        }
    }

    /// <summary>
    /// Starts the demo and sends SIGKILL to it as soon as its log says <paramref name="stage"/> saved a checkpoint;
    /// returns that checkpoint's folder. Fails if the run ends before.
    /// </summary>
    private async Task<string> KillAfterFirstCheckpointAsync(string storage, string stage)
    {
        using var process = AlignProcess.Start(demo.Temp.Path, ["run", demo.DemoYaml, "--storage", storage, .. DemoRunFixture.SmallParams]);
        var saved = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (log)
            {
                log.AppendLine(e.Data);
            }

            if (e.Data is { } line && CheckpointSaved().Match(line) is { Success: true } match && match.Groups["stage"].Value == stage
                && saved.TrySetResult(match.Groups["folder"].Value))
            {
                process.Kill(entireProcessTree: true);
            }
        };
        process.BeginErrorReadLine();
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        await stdout;
        lock (log)
        {
            Assert.True(saved.Task.IsCompleted, $"the run ended (exit {process.ExitCode}) before {stage} saved a checkpoint:\n{log}");
        }

        Assert.NotEqual(0, process.ExitCode);
        return await saved.Task;
    }

    /// <summary>The published model files of a trainer stage output, by name.</summary>
    private static Dictionary<string, byte[]> ModelFiles(string stageFolder) =>
        Directory.EnumerateFiles(Path.Combine(stageFolder, "model")).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    /// <summary>The keys of the "Fields of report.json" table of docs/report-schema.md.</summary>
    private static List<string> DocumentedFields(string markdown)
    {
        var section = markdown[markdown.IndexOf("## Fields of `report.json`", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 1, StringComparison.Ordinal)];
        return FieldRow().Matches(section).Select(m => m.Groups[1].Value).ToList();
    }

    [GeneratedRegex(@"^\| `([a-z_]+)` \|", RegexOptions.Multiline)]
    private static partial Regex FieldRow();

    [GeneratedRegex(@"\] (?<stage>\w+): checkpoint (?<folder>\S+) saved")]
    private static partial Regex CheckpointSaved();

    [GeneratedRegex(@"\] sft: resuming from checkpoint (?<folder>\S+)")]
    private static partial Regex ResumedFrom();
}
