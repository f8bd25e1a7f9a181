using System.Diagnostics;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;

namespace AlignmentPipeline.Bench.Data;

/// <summary>
/// The baseline: DuckDB reads the same JSONL (skipping lines that are not JSON), keys each pair by the same
/// normalization as <c>kind: dedup</c> (NFC, runs of white space collapsed to one space, trimmed; prompt, chosen and
/// rejected joined by U+0000), keeps the first row of each key in input order and writes Parquet (Snappy).
/// Differences: RE2's <c>\s</c> is ASCII white space only (the generated data has no other), and DuckDB neither
/// validates rows nor writes ids, sources or a quarantine.
/// </summary>
internal static class DuckDbBaseline
{
    public static Task<JsonObject> RunAsync(BenchOptions options)
    {
        string output = Path.Combine(options.Root, "duckdb-dedup.parquet");
        string files = string.Join(", ", options.InputPaths.Select(p => $"'{p}'"));
        static string Normalized(string column) => $"trim(regexp_replace(nfc_normalize({column}), '\\s+', ' ', 'g'))";
        string sql = $$"""
            COPY (
              SELECT prompt, chosen, rejected FROM (
                SELECT prompt, chosen, rejected, ord,
                       row_number() OVER (PARTITION BY {{Normalized("prompt")}} || chr(0) || {{Normalized("chosen")}} || chr(0) || {{Normalized("rejected")}}
                                          ORDER BY ord) AS rn
                FROM (SELECT *, row_number() OVER () AS ord
                      FROM read_json([{{files}}], format = 'newline_delimited', ignore_errors = true,
                                     columns = {prompt: 'VARCHAR', chosen: 'VARCHAR', rejected: 'VARCHAR'}))
                WHERE prompt IS NOT NULL AND chosen IS NOT NULL AND rejected IS NOT NULL)
              WHERE rn = 1 ORDER BY ord
            ) TO '{{output}}' (FORMAT parquet, COMPRESSION snappy)
            """;
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        Console.WriteLine($"  duckdb {connection.ServerVersion}: COPY (exact dedup of {options.Files} JSONL files) TO parquet ...");
        var watch = Stopwatch.StartNew();
        command.CommandText = sql;
        command.ExecuteNonQuery();
        double seconds = watch.Elapsed.TotalSeconds;
        command.CommandText = $"SELECT count(*) FROM read_parquet('{output}')";
        long rowsOut = Convert.ToInt64(command.ExecuteScalar());
        return Task.FromResult(new JsonObject
        {
            ["step"] = BenchSteps.DuckDb,
            ["rows_in"] = options.Rows,
            ["rows_out"] = rowsOut,
            ["seconds"] = seconds,
        });
    }
}
