using AlignmentPipeline.TestSupport;

namespace AlignmentPipeline.Cli.Tests;

public sealed class CliBehaviourTests
{
    private static async Task<(int Code, string Out, string Error)> Align(string workingDirectory, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string previous = Environment.CurrentDirectory;
        Environment.CurrentDirectory = workingDirectory;
        try
        {
            int code = await AlignApp.RunAsync(args, new CliContext(output, error, _ => null), TestContext.Current.CancellationToken);
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }

    [Fact]
    public async Task Second_run_reuses_every_stage_and_says_so()
    {
        using var temp = new TempDirectory("align-cli");
        CorpusFiles.Write(temp.File("corpus/a.jsonl"), 500, seed: 1);
        temp.Write("p.yaml", "name: twice\nstages:\n  ingest: { kind: ingest, inputs: [corpus/a.jsonl] }\n");
        var first = await AlignProcess.RunAsync(temp.Path, "run", "p.yaml", "--storage", "store");
        Assert.Equal(0, first.ExitCode);
        Assert.Contains("computed", first.Out, StringComparison.Ordinal);
        var second = await AlignProcess.RunAsync(temp.Path, "run", "p.yaml", "--storage", "store");
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("Nothing changed: every stage was reused.", second.Out, StringComparison.Ordinal);
        Assert.Contains("ingest: reused", second.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_errors_exit_2_with_every_problem_and_no_stack_trace()
    {
        using var temp = new TempDirectory("align-cli");
        temp.Write("bad.yaml", "name: bad\nstages:\n  ingest: { kind: ingest, inputz: [x.jsonl] }\n  d: { kind: dedupe, input: ingest }\n");
        var (code, _, error) = await Align(temp.Path, "validate", "bad.yaml");
        Assert.Equal(2, code);
        Assert.Contains("bad.yaml:3:27: unknown key 'inputz' (did you mean 'inputs'?)", error, StringComparison.Ordinal);
        Assert.Contains("unknown stage kind 'dedupe'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Usage_errors_exit_2()
    {
        using var temp = new TempDirectory("align-cli");
        Assert.Equal(2, (await Align(temp.Path, "run")).Code);
        Assert.Equal(2, (await Align(temp.Path, "frobnicate")).Code);
        var missing = await Align(temp.Path, "run", "nope.yaml");
        Assert.Equal(2, missing.Code);
        Assert.Contains("pipeline file 'nope.yaml' does not exist", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_runs_inspect_and_stages_show_what_happened()
    {
        using var temp = new TempDirectory("align-cli");
        CorpusFiles.Write(temp.File("corpus/a.jsonl"), 1000, seed: 2);
        temp.Write("p.yaml", "name: shown\nstages:\n  ingest: { kind: ingest, inputs: [corpus/a.jsonl] }\n");
        var plan = await Align(temp.Path, "plan", "p.yaml", "--storage", "store");
        Assert.Matches(@"ingest\s+ingest\s+[0-9a-f]{12}\s+run", plan.Out);
        Assert.Equal(0, (await Align(temp.Path, "run", "p.yaml", "--storage", "store")).Code);
        Assert.Matches(@"ingest\s+ingest\s+[0-9a-f]{12}\s+reuse", (await Align(temp.Path, "plan", "p.yaml", "--storage", "store")).Out);

        var runs = await Align(temp.Path, "runs", "--storage", "store", "--json");
        Assert.Contains("\"status\": \"succeeded\"", runs.Out, StringComparison.Ordinal);
        var rows = await Align(temp.Path, "inspect", "latest", "--storage", "store", "--stage", "ingest", "--rows", "2");
        Assert.Equal(2, rows.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("\"source\":\"corpus/a.jsonl:1\"", rows.Out, StringComparison.Ordinal);
        var quarantine = await Align(temp.Path, "inspect", "latest", "--storage", "store", "--stage", "ingest", "--rows", "5", "--quarantine");
        Assert.Contains("\"reason\":\"invalid_json\"", quarantine.Out, StringComparison.Ordinal);
        var stages = await Align(temp.Path, "stages");
        Assert.Contains("ingest (v", stages.Out, StringComparison.Ordinal);
        Assert.Contains("row_group_rows", stages.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_align_processes_on_one_storage_both_succeed_and_compute_once()
    {
        using var temp = new TempDirectory("align-cli");
        for (int f = 0; f < 4; f++)
        {
            CorpusFiles.Write(temp.File($"corpus/{f}.jsonl"), 8000, seed: 10 + f);
        }

        temp.Write("p.yaml", "name: both\nstages:\n  ingest: { kind: ingest, inputs: [\"corpus/*.jsonl\"] }\n");
        var a = AlignProcess.RunAsync(temp.Path, "run", "p.yaml", "--storage", "store", "--json");
        var b = AlignProcess.RunAsync(temp.Path, "run", "p.yaml", "--storage", "store", "--json");
        var results = await Task.WhenAll(a, b);
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Error));
        int computed = results.Count(r => r.Out.Contains("\"status\": \"computed\"", StringComparison.Ordinal));
        int reused = results.Count(r => r.Out.Contains("\"status\": \"reused\"", StringComparison.Ordinal));
        Assert.Equal(1, computed);
        Assert.Equal(1, reused);
    }
}

public sealed class DocsTests
{
    [Fact]
    public void Pipeline_reference_in_docs_matches_the_stage_option_types()
    {
        string? root = null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AlignmentPipeline.sln")))
            {
                root = dir.FullName;
                break;
            }
        }

        if (root is null)
        {
            Assert.Skip($"the repository root (AlignmentPipeline.sln) is not above {AppContext.BaseDirectory}");
        }

        string expected = PipelineReference.Render(StageCatalog.Create());
        string actual = File.ReadAllText(Path.Combine(root, "docs", "pipeline-reference.md"));
        Assert.True(expected == actual,
            "docs/pipeline-reference.md is out of date: run 'dotnet run --project src/AlignmentPipeline.Cli -- stages --markdown > docs/pipeline-reference.md'");
    }
}
