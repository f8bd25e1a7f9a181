// DPO step time and peak memory of the ~15M Llama (stories15M shape, random weights) with the reference log-probs read
// from a ref-logprobs cache vs computed by a live reference forward (live_reference: true), in one run. Each variant
// runs the real pipeline (ingest → ref-logprobs → dpo) in a child process of its own, twice, alternating, so its peak
// resident memory (VmHWM) is its own and load drift hits both. MFU is against an fp32 matmul measured in this run.
// Usage: dotnet run --project bench/AlignmentPipeline.Bench.Training -c Release
using System.Diagnostics;
using System.Text.Json.Nodes;
using TorchSharp;

if (args is ["--variant", var variantRoot, var variantStage, var mode])
{
    Console.WriteLine("RESULT " + (await VariantRun.RunAsync(variantRoot, variantStage, mode == "live")).ToJsonString());
    return;
}

const int Rounds = 2;
string LoadAverage() => string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
var loadBefore = LoadAverage();
torch.set_num_threads(Environment.ProcessorCount);
var peak = new[] { 1024, 2048 }.Max(n => MatmulPeak.GflopsPerSecond(n));

var root = Directory.CreateTempSubdirectory("align-bench-training-").FullName;
var parameters = BenchSetup.WriteModel(root);
BenchSetup.WritePairs(root);
var watch = Stopwatch.StartNew();
await BenchPipeline.RunAsync(root);
var cacheSeconds = watch.Elapsed.TotalSeconds;
var sequence = BenchSetup.Sequence(root);

var results = new List<JsonObject>();
for (var round = 1; round <= Rounds; round++)
{
    foreach (var live in new[] { false, true })
    {
        var stage = $"dpo_{(live ? "live" : "cached")}_{round}";
        var start = new ProcessStartInfo(Environment.ProcessPath!, ["--variant", root, stage, live ? "live" : "cached"]) { RedirectStandardOutput = true };
        using var child = Process.Start(start)!;
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"{stage} exited with {child.ExitCode} and no result:\n{output}");
        results.Add(JsonNode.Parse(line["RESULT ".Length..])!.AsObject());
        Console.Error.WriteLine(line);
    }
}

var loadAfter = LoadAverage();
var tokensPerStep = BenchConfig.BatchPairs * 2 * sequence.Tokens;
var forward = StepFlops.Forward(BenchConfig.Model, Enumerable.Repeat(sequence, 2 * BenchConfig.BatchPairs));
double Median(IEnumerable<double> values) => values.Order().ElementAt(values.Count() / 2);

// Step 1 of each run is a warm-up (first allocations, libtorch kernel selection) and is left out.
(double StepSeconds, double PeakMb, string Loss) Summary(bool live)
{
    var runs = results.Where(r => r["live"]!.GetValue<bool>() == live).ToList();
    var seconds = runs.SelectMany(r => r["tokens_per_second"]!.AsArray().Skip(1).Select(t => tokensPerStep / t!.GetValue<double>()));
    return (Median(seconds), runs.Max(r => r["vm_hwm_kb"]!.GetValue<long>()) / 1024.0, string.Join(", ", runs.Select(r => $"{r["first_step_loss"]!.GetValue<double>():0.000000}")));
}

var cached = Summary(live: false);
var liveRun = Summary(live: true);
var loads = string.Join(", ", results.Select(r => $"{r["stage"]} {r["model_loads"]} (computed: {r["computed"]})"));
Console.WriteLine($"""
    ### DPO with the reference cache vs a live reference forward (~15M Llama)

    `dotnet run --project bench/AlignmentPipeline.Bench.Training -c Release`, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores,
    load average {loadBefore} before and {loadAfter} after (1, 5, 15 min). Model: dim 288, 6 layers, 6 heads, SwiGLU 768, vocab 32000,
    tied embeddings, random weights (seed {BenchConfig.Seed}), {parameters / 1e6:0.00}M parameters ({parameters * 4 / 1e6:0.0} MB fp32). Data: {BenchConfig.Pairs}
    synthetic pairs, byte tokenizer, every sequence {sequence.Tokens} tokens ({sequence.CompletionTokens} completion); batch {BenchConfig.BatchPairs} pairs
    ({2 * BenchConfig.BatchPairs} sequences, {tokensPerStep} tokens) per step, {BenchConfig.Steps} steps per run, fp32, libtorch threads {Environment.ProcessorCount}.
    Each variant ran {Rounds}× alternating, each in a child process running the real pipeline (ingest and ref-logprobs reused,
    dpo computed). Step time: median over runs of tokens/step ÷ the logged tokens_per_second, step 1 left out.
    Peak memory: the child's VmHWM (peak resident set, whole process incl. .NET runtime and libtorch), max over its runs.
    fp32 matmul peak of this run: {peak:0.0} GFLOP/s (best of n = 1024, 2048; 2n³ FLOPs per product).
    FLOPs per step: forward F = Σ over sequences of T·L·2(4d² + 3dh) + L·2·d·T(T+1) + 2·d·V·Tc = {forward / 1e9:0.00} GFLOP;
    cached step = 3F (policy forward + backward), live step = 4F (+ reference forward). MFU = step FLOPs / step time / matmul peak.
    Cache computed once beforehand in {cacheSeconds:0.0} s (not in the step times). Model loads per child: {loads}.

    | variant | step time (s) | tokens/s | step FLOPs (GFLOP) | MFU | peak RSS (MB) | step-1 loss (policy = reference, ln 2 = 0.693147) |
    |---|---|---|---|---|---|---|
    | cache (`ref-logprobs` input) | {cached.StepSeconds:0.000} | {tokensPerStep / cached.StepSeconds:0} | {3 * forward / 1e9:0.00} | {3 * forward / cached.StepSeconds / (peak * 1e9):P1} | {cached.PeakMb:0} | {cached.Loss} |
    | live reference (`live_reference: true`) | {liveRun.StepSeconds:0.000} | {tokensPerStep / liveRun.StepSeconds:0} | {4 * forward / 1e9:0.00} | {4 * forward / liveRun.StepSeconds / (peak * 1e9):P1} | {liveRun.PeakMb:0} | {liveRun.Loss} |

    Ratios cached / live: step time {cached.StepSeconds / liveRun.StepSeconds:0.000} (FLOP model: 0.750), peak memory {cached.PeakMb / liveRun.PeakMb:0.000}
    ({liveRun.PeakMb - cached.PeakMb:0} MB less; the reference's fp32 weights are {parameters * 4 / 1e6:0.0} MB).
    """);
Directory.Delete(root, recursive: true);
