using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Hashing;
using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Core.Tests.Fixtures;

namespace AlignmentPipeline.Core.Tests;

[Collection(nameof(TaskRunCounters))]
public sealed class RunnerTests
{
    private const string Pipeline = """
        name: t
        params:
          count: 100
          offset: 0
        stages:
          nums: { kind: numbers, count: "${params.count}", tasks: 4 }
          total: { kind: sum, input: nums, offset: "${params.offset}" }
          copy: { kind: digest, source: total }
        """;

    [Fact]
    public async Task Rerun_with_unchanged_inputs_reuses_every_stage()
    {
        using var h = new RunnerHarness();
        var first = await h.RunAsync(Pipeline);
        Assert.All(first.Stages, s => Assert.Equal(StageStatus.Computed, s.Status));
        Assert.Equal(RunStatus.Succeeded, first.Status);

        var second = await h.RunAsync(Pipeline);
        Assert.All(second.Stages, s => Assert.Equal(StageStatus.Reused, s.Status));
        Assert.Equal(first.Stages.Select(s => s.Fingerprint), second.Stages.Select(s => s.Fingerprint));
        Assert.Equal(100, second.Stages[0].RowsOut);
    }

    [Fact]
    public async Task Changing_one_stage_reruns_it_and_its_downstream_only()
    {
        using var h = new RunnerHarness();
        await h.RunAsync(Pipeline);
        var changed = await h.RunAsync(Pipeline, new Dictionary<string, string> { ["offset"] = "5" });
        Assert.Equal([StageStatus.Reused, StageStatus.Computed, StageStatus.Computed], changed.Stages.Select(s => s.Status));

        string copied = await TestStages.ReadAllTextAsync(h.Storage, [$"stages/copy/{changed.Stages[2].Fingerprint}/part-00000.txt"]);
        Assert.Equal("4955", copied); // 0 + 1 + … + 99 = 4950, plus offset 5
    }

    [Fact]
    public async Task Fingerprints_ignore_key_order_comments_and_formatting()
    {
        using var h = new RunnerHarness();
        var a = await h.Runner().PlanAsync(h.Load(Pipeline));
        var b = await h.Runner().PlanAsync(h.Load("""
            # the same pipeline, written differently
            stages:
              copy:
                source: total      # a stage reference
                kind: digest
              total:
                offset: "${params.offset}"
                input: nums
                kind: sum
              nums:
                tasks: 4
                kind: numbers
                count: "${params.count}"
            params: { offset: 0, count: 100 }
            name: t
            """));
        Assert.Equal(a.Select(p => (p.Spec.Name, p.Fingerprint)).OrderBy(x => x.Name), b.Select(p => (p.Spec.Name, p.Fingerprint)).OrderBy(x => x.Name));
    }

    [Fact]
    public async Task Fingerprints_change_with_options_defaults_made_explicit_do_not()
    {
        using var h = new RunnerHarness();
        string baseline = (await h.Runner().PlanAsync(h.Load("name: t\nstages:\n  n: { kind: numbers }\n")))[0].Fingerprint;
        string explicitDefaults = (await h.Runner().PlanAsync(h.Load("name: t\nstages:\n  n: { kind: numbers, count: 10, tasks: 1, scale: 1.0 }\n")))[0].Fingerprint;
        string changed = (await h.Runner().PlanAsync(h.Load("name: t\nstages:\n  n: { kind: numbers, scale: 1.5 }\n")))[0].Fingerprint;
        string nestedChanged = (await h.Runner().PlanAsync(h.Load("name: t\nstages:\n  n: { kind: numbers, extra: { rows_per_band: 9 } }\n")))[0].Fingerprint;
        Assert.Equal(baseline, explicitDefaults);
        Assert.NotEqual(baseline, changed);
        Assert.NotEqual(baseline, nestedChanged);
        Assert.NotEqual(changed, nestedChanged);
    }

    [Fact]
    public async Task A_changed_file_content_changes_the_fingerprint_even_with_the_same_size_and_mtime()
    {
        using var h = new RunnerHarness();
        string file = h.Temp.Write("input.txt", "aaaa");
        var mtime = File.GetLastWriteTimeUtc(file);
        string yaml = $"name: t\nstages:\n  d: {{ kind: digest, source: {file} }}\n";
        var hashes = new FileHashCache(Path.Combine(h.Temp.Path, "hashes.json"));
        string before = (await h.Runner(hashes: hashes).PlanAsync(h.Load(yaml)))[0].Fingerprint;
        string again = (await h.Runner(hashes: hashes).PlanAsync(h.Load(yaml)))[0].Fingerprint;
        Assert.Equal(1, hashes.FilesHashed); // hashed once, then reused by identity

        File.WriteAllText(file, "bbbb");
        File.SetLastWriteTimeUtc(file, mtime);
        string after = (await h.Runner(hashes: hashes).PlanAsync(h.Load(yaml)))[0].Fingerprint;
        Assert.Equal(before, again);
        Assert.NotEqual(before, after);
        Assert.Equal(2, hashes.FilesHashed);
    }

    [Fact]
    public async Task A_moved_file_with_the_same_content_keeps_the_fingerprint()
    {
        using var h = new RunnerHarness();
        string first = h.Temp.Write("a/input.txt", "same");
        string second = h.Temp.Write("b/other-name.txt", "same");
        string fa = (await h.Runner().PlanAsync(h.Load($"name: t\nstages:\n  d: {{ kind: digest, source: {first} }}\n")))[0].Fingerprint;
        string fb = (await h.Runner().PlanAsync(h.Load($"name: t\nstages:\n  d: {{ kind: digest, source: {second} }}\n")))[0].Fingerprint;
        Assert.Equal(fa, fb);
    }

    [Fact]
    public async Task A_failed_task_is_resumed_without_rerunning_completed_tasks()
    {
        using var h = new RunnerHarness();
        string yaml = "name: resume\nstages:\n  n: { kind: numbers, count: 40, tasks: 4, fail_task: 2 }\n";
        TestStages.TaskRuns.Clear();
        TestStages.FailNextRuns(1);
        var runner = h.Runner(parallelism: 1);
        await Assert.ThrowsAsync<InvalidOperationException>(() => runner.RunAsync(h.Load(yaml)));
        var failed = (await new RunStore(h.Storage).ListAsync())[0];
        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Equal(StageStatus.Failed, failed.Stages[0].Status);

        var resumed = await h.Runner(parallelism: 1).RunAsync(h.Load(yaml));
        Assert.Equal(StageStatus.Computed, resumed.Stages[0].Status);
        Assert.Equal(2, resumed.Stages[0].TasksResumed);
        Assert.Equal(1, TestStages.TaskRuns["n/0"]);
        Assert.Equal(1, TestStages.TaskRuns["n/1"]);
        Assert.Equal(2, TestStages.TaskRuns["n/2"]);
        Assert.Equal(1, TestStages.TaskRuns["n/3"]);
    }

    [Fact]
    public async Task A_folder_without_manifest_is_never_read_and_is_completed_by_a_rerun()
    {
        using var h = new RunnerHarness();
        var plan = await h.Runner().PlanAsync(h.Load(Pipeline));
        string fingerprint = plan[0].Fingerprint;
        await h.Storage.WriteTextAsync($"stages/nums/{fingerprint}/part-00000.txt", "garbage from a crashed run\n");
        Assert.False((await h.Runner().PlanAsync(h.Load(Pipeline)))[0].Exists);

        var record = await h.RunAsync(Pipeline);
        Assert.Equal(StageStatus.Computed, record.Stages[0].Status);
        string total = await TestStages.ReadAllTextAsync(h.Storage, [$"stages/total/{record.Stages[1].Fingerprint}/part-00000.txt"]);
        Assert.Equal("4950", total);
    }

    [Fact]
    public async Task Unfinished_writes_of_a_killed_attempt_are_removed_when_the_stage_runs_again()
    {
        using var h = new RunnerHarness();
        var plan = await h.Runner().PlanAsync(h.Load(Pipeline));
        string folder = Path.Combine(h.Storage.Root, "stages", "nums", plan[0].Fingerprint);
        Directory.CreateDirectory(Path.Combine(folder, "_tasks"));
        string[] strays = [Path.Combine(folder, "part-00001.txt.tmp-0123abcd"), Path.Combine(folder, "_tasks", "task-00002.json.tmp-4567ef01")];
        foreach (string stray in strays)
        {
            await File.WriteAllTextAsync(stray, "half-written by a process that was killed");
        }

        var record = await h.RunAsync(Pipeline);
        Assert.Equal(StageStatus.Computed, record.Stages[0].Status);
        Assert.All(strays, stray => Assert.False(File.Exists(stray), stray));
        Assert.Empty(Directory.EnumerateFiles(h.Storage.Root, "*.tmp-*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Manifest_lists_every_published_file_with_its_hash_and_no_timestamps()
    {
        using var h = new RunnerHarness();
        var record = await h.RunAsync(Pipeline);
        var store = new RunStore(h.Storage);
        var output = await store.TryLoadOutputAsync("nums", record.Stages[0].Fingerprint);
        var manifest = await store.LoadManifestAsync(output!);
        Assert.Equal(["part-00000.txt", "part-00001.txt", "part-00002.txt", "part-00003.txt", "stats.json"], manifest.Files.Select(f => f.Path));
        foreach (var file in manifest.Files)
        {
            await using var stream = await h.Storage.OpenReadAsync(output!.Path(file.Path));
            Assert.Equal(await Hex.Sha256Async(stream), file.Sha256);
        }

        var stats = await h.Storage.ReadJsonAsync(output!.Path("stats.json"));
        Assert.Equal(100, stats["rows_in"]!.GetValue<long>());
        Assert.Equal(100, stats["rows_out"]!.GetValue<long>());
        Assert.Empty(stats["dropped"]!.AsObject());
        string text = (await h.Storage.ReadJsonAsync(output.Path("manifest.json"))).ToJsonString();
        Assert.DoesNotContain(DateTime.UtcNow.ToString("yyyy-MM-dd"), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_record_holds_params_and_never_environment_values()
    {
        using var h = new RunnerHarness();
        var spec = h.Load("""
            name: t
            params: { count: 3 }
            stages:
              n: { kind: numbers, count: "${params.count}", label: "${env:SECRET_LABEL}" }
            """, env: name => name == "SECRET_LABEL" ? "hunter2-secret" : null);
        var record = await h.Runner().RunAsync(spec);
        string recordText = (await h.Storage.ReadJsonAsync($"runs/{record.RunId}.json")).ToJsonString();
        Assert.Contains("\"count\":\"3\"", recordText, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"succeeded\"", recordText, StringComparison.Ordinal);
        Assert.Contains("\"rows_out\":3", recordText, StringComparison.Ordinal);
        var manifest = await h.Storage.ReadJsonAsync($"stages/n/{record.Stages[0].Fingerprint}/manifest.json");
        Assert.DoesNotContain("hunter2", recordText, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", manifest.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("<from environment>", manifest["options"]!["label"]!.GetValue<string>());
    }

    [Fact]
    public async Task Force_recomputes_the_stage_and_downstream_reuses_identical_output()
    {
        using var h = new RunnerHarness();
        await h.RunAsync(Pipeline);
        var forced = await h.Runner(force: new HashSet<string> { "nums" }).RunAsync(h.Load(Pipeline));
        Assert.Equal([StageStatus.Computed, StageStatus.Reused, StageStatus.Reused], forced.Stages.Select(s => s.Status));
    }

    [Fact]
    public async Task Two_concurrent_runs_on_one_storage_compute_each_stage_once()
    {
        using var h = new RunnerHarness();
        TestStages.TaskRuns.Clear();
        string yaml = "name: c\nstages:\n  many: { kind: numbers, count: 200000, tasks: 8 }\n  total: { kind: sum, input: many }\n";
        var runs = await Task.WhenAll(h.Runner().RunAsync(h.Load(yaml)), h.Runner().RunAsync(h.Load(yaml)));
        Assert.All(runs, r => Assert.Equal(RunStatus.Succeeded, r.Status));
        Assert.All(Enumerable.Range(0, 8), i => Assert.Equal(1, TestStages.TaskRuns[$"many/{i}"]));
        Assert.Equal(1, TestStages.TaskRuns["total/0"]);
        Assert.Contains(runs, r => r.Stages.All(s => s.Status == StageStatus.Reused));
    }

    [Fact]
    public async Task Cancelling_a_run_marks_it_cancelled_and_a_rerun_completes()
    {
        using var h = new RunnerHarness();
        using var cancel = new CancellationTokenSource();
        TestStages.OnNumbersTask = task =>
        {
            if (task == 2)
            {
                cancel.Cancel();
            }
        };
        try
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Runner(parallelism: 1).RunAsync(h.Load(Pipeline), cancel.Token));
        }
        finally
        {
            TestStages.OnNumbersTask = null;
        }

        var cancelled = (await new RunStore(h.Storage).ListAsync())[0];
        Assert.Equal(RunStatus.Cancelled, cancelled.Status);
        Assert.Equal([StageStatus.Cancelled, StageStatus.Skipped, StageStatus.Skipped], cancelled.Stages.Select(s => s.Status));
        var record = await h.Runner(parallelism: 1).RunAsync(h.Load(Pipeline));
        Assert.Equal(RunStatus.Succeeded, record.Status);
        Assert.Equal(2, record.Stages[0].TasksResumed);
    }
}

[CollectionDefinition(nameof(TaskRunCounters), DisableParallelization = true)]
public sealed class TaskRunCounters;
