namespace AlignmentPipeline.Bench.Data;

/// <summary>
/// Command line: <c>--rows N</c> (default 1,000,000), <c>--files F</c> (JSONL files, default 2), <c>--steps a,b</c>
/// (default all of <see cref="BenchSteps.All"/>), <c>--root DIR</c> (default a temp folder named for the row count),
/// <c>--keep</c> (leave the folder), <c>--reuse-input</c> (skip generating when the folder already holds the same
/// corpus), and the child's <c>--step S</c>.
/// </summary>
internal sealed record BenchOptions(long Rows, int Files, bool Keep, bool ReuseInput, string Root, IReadOnlyList<string> Steps, string? Step)
{
    public static BenchOptions Parse(string[] args)
    {
        long rows = 1_000_000;
        int files = 2;
        bool keep = false, reuse = false;
        string? root = null, step = null;
        IReadOnlyList<string> steps = BenchSteps.All;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rows": rows = long.Parse(args[++i]); break;
                case "--files": files = int.Parse(args[++i]); break;
                case "--keep": keep = true; break;
                case "--reuse-input": reuse = true; break;
                case "--root": root = args[++i]; break;
                case "--step": step = args[++i]; break;
                case "--steps": steps = ParseSteps(args[++i]); break;
                default: throw new ArgumentException($"unknown argument '{args[i]}'; usage: --rows N [--files F] [--steps {string.Join(",", BenchSteps.All)}] [--root DIR] [--keep] [--reuse-input]");
            }
        }

        return new BenchOptions(rows, files, keep, reuse, root ?? Path.Combine(Path.GetTempPath(), $"align-bench-data-{rows}"), steps, step);
    }

    public string InputPath(int file) => Path.Combine(Root, "input", $"pairs-{file:D2}.jsonl");

    public IEnumerable<string> InputPaths => Enumerable.Range(0, Files).Select(InputPath);

    /// <summary>What the generator planted, saved beside the input so <c>--reuse-input</c> can skip generating.</summary>
    public string CorpusPath => Path.Combine(Root, "input", $"corpus-{Rows}-{Files}.json");

    private static string[] ParseSteps(string list)
    {
        var steps = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = steps.Where(s => !BenchSteps.All.Contains(s)).ToList();
        return unknown.Count == 0
            ? steps
            : throw new ArgumentException($"unknown step(s) {string.Join(", ", unknown)}; steps: {string.Join(", ", BenchSteps.All)}");
    }
}
