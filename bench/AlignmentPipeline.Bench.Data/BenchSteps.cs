namespace AlignmentPipeline.Bench.Data;

/// <summary>The measured steps, in order; each runs in its own child process.</summary>
internal static class BenchSteps
{
    public const string Ingest = "ingest";
    public const string Exact = "exact_dedup";
    public const string Near = "near_dedup";
    public const string Filter = "filter";
    public const string DuckDb = "duckdb_exact_dedup";

    public static IReadOnlyList<string> All { get; } = [Ingest, Exact, Near, Filter, DuckDb];
}
