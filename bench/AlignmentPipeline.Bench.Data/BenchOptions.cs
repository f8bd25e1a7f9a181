namespace AlignmentPipeline.Bench.Data;

/// <summary>Command line: <c>--rows N</c> (default 1,000,000), <c>--files F</c> (JSONL files, default 2), <c>--keep</c>, and the child's <c>--step S --root R</c>.</summary>
internal sealed record BenchOptions(long Rows, int Files, bool Keep, string Root, string? Step)
{
    public static BenchOptions Parse(string[] args)
    {
        long rows = 1_000_000;
        int files = 2;
        bool keep = false;
        string? root = null, step = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rows": rows = long.Parse(args[++i]); break;
                case "--files": files = int.Parse(args[++i]); break;
                case "--keep": keep = true; break;
                case "--root": root = args[++i]; break;
                case "--step": step = args[++i]; break;
                default: throw new ArgumentException($"unknown argument '{args[i]}'; usage: --rows N [--files F] [--keep]");
            }
        }

        return new BenchOptions(rows, files, keep, root ?? Path.Combine(Path.GetTempPath(), $"align-bench-data-{rows}"), step);
    }

    public string InputPath(int file) => Path.Combine(Root, "input", $"pairs-{file:D2}.jsonl");

    public IEnumerable<string> InputPaths => Enumerable.Range(0, Files).Select(InputPath);
}
