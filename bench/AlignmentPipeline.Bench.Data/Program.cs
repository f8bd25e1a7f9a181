// Data stages at scale: N generated preference pairs (planted exact and near duplicates, bad rows, over-long rows)
// as JSONL, then ingest -> exact dedup -> near dedup -> filter -> Parquet through the pipeline runner on local storage,
// and DuckDB.NET doing the same exact dedup from the same JSONL to Parquet as the baseline.
// Every step runs in a child process (earlier stages are reused from the store by fingerprint), so each step's peak
// RSS (VmHWM) is its own. Seconds are the runner's stage times; CPU seconds are the child's user + system time.
// A step's earlier stages are computed by the first step that needs them (the runs/ folder starts empty every time).
// Usage: dotnet run --project bench/AlignmentPipeline.Bench.Data -c Release -- --rows 1000000 [--files 2]
//        [--steps ingest,exact_dedup,near_dedup,filter,duckdb_exact_dedup] [--root DIR] [--keep] [--reuse-input]
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlignmentPipeline.Bench.Data;

var options = BenchOptions.Parse(args);
if (options.Step is { } step)
{
    var result = step == BenchSteps.DuckDb
        ? await DuckDbBaseline.RunAsync(options)
        : await StageStep.RunAsync(options, step);
    result["peak_rss_mb"] = ProcessMemory.PeakRssMegabytes();
    result["cpu_seconds"] = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
    await File.WriteAllTextAsync(Path.Combine(options.Root, $"result-{step}.json"), result.ToJsonString());
    return 0;
}

string root = options.Root;
Directory.CreateDirectory(root);
Console.WriteLine($"bench data: {options.Rows:N0} pairs in {options.Files} JSONL files under {root}; {Environment.ProcessorCount} cores; load {ProcessMemory.LoadAverage()}");
if (Directory.Exists(Path.Combine(root, "runs")))
{
    Directory.Delete(Path.Combine(root, "runs"), recursive: true);
}

GeneratedCorpus generated;
if (options.ReuseInput && File.Exists(options.CorpusPath))
{
    generated = JsonSerializer.Deserialize<GeneratedCorpus>(await File.ReadAllTextAsync(options.CorpusPath))!;
    Console.WriteLine("reusing the generated input");
}
else
{
    generated = PairGenerator.Write(options);
    await File.WriteAllTextAsync(options.CorpusPath, JsonSerializer.Serialize(generated));
}

Console.WriteLine($"generated {generated.Rows:N0} lines ({generated.Bytes / 1e6:0} MB): {generated.ExactDuplicates:N0} exact duplicates, " +
                  $"{generated.NearDuplicates:N0} near duplicates, {generated.BadRows:N0} bad rows, {generated.LongRows:N0} over-long rows");

var results = new List<JsonObject>();
foreach (string name in options.Steps)
{
    Console.WriteLine($"--- {name} (load {ProcessMemory.LoadAverage()})");
    var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
    {
        start.ArgumentList.Add(typeof(BenchOptions).Assembly.Location);
    }

    foreach (string argument in new[] { "--step", name, "--root", root, "--rows", options.Rows.ToString(), "--files", options.Files.ToString() })
    {
        start.ArgumentList.Add(argument);
    }

    var child = Process.Start(start)!;
    await child.WaitForExitAsync();
    if (child.ExitCode != 0)
    {
        Console.Error.WriteLine($"step {name} failed with exit code {child.ExitCode}");
        return 1;
    }

    var result = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(root, $"result-{name}.json")))!.AsObject();
    result["load_after"] = ProcessMemory.LoadAverage();
    results.Add(result);
    Console.WriteLine($"    {Line(result)}");
}

Console.WriteLine();
Console.WriteLine($"| step | rows in | rows out | seconds | rows/s | CPU s | rows/CPU-s | peak RSS MB | load after |");
Console.WriteLine($"|---|---:|---:|---:|---:|---:|---:|---:|---:|");
foreach (var r in results)
{
    double seconds = r["seconds"]!.GetValue<double>(), cpu = r["cpu_seconds"]!.GetValue<double>();
    long rowsIn = r["rows_in"]!.GetValue<long>();
    Console.WriteLine($"| {r["step"]} | {rowsIn:N0} | {r["rows_out"]!.GetValue<long>():N0} | {seconds:0.0} | {rowsIn / seconds:N0} | {cpu:0.0} | " +
                      $"{rowsIn / cpu:N0} | {r["peak_rss_mb"]!.GetValue<double>():0} | {r["load_after"]} |");
}

double Seconds(string name) => results.Single(r => r["step"]!.GetValue<string>() == name)["seconds"]!.GetValue<double>();
if (new[] { BenchSteps.Ingest, BenchSteps.Exact, BenchSteps.DuckDb }.All(options.Steps.Contains))
{
    double ours = Seconds(BenchSteps.Ingest) + Seconds(BenchSteps.Exact);
    double duck = Seconds(BenchSteps.DuckDb);
    Console.WriteLine();
    Console.WriteLine($"exact path (ingest + exact dedup, JSONL -> deduplicated Parquet): {ours:0.0} s; DuckDB: {duck:0.0} s; " +
                      $"ours / DuckDB = {ours / duck:0.00} (below 1 means faster than DuckDB)");
}
if (!options.Keep)
{
    Directory.Delete(root, recursive: true);
}

return 0;

static string Line(JsonObject r) => string.Join("  ", r.Select(p => $"{p.Key}={p.Value?.ToJsonString(new JsonSerializerOptions { WriteIndented = false })}"));
