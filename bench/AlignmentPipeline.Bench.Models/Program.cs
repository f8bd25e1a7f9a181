// Model throughput as a fraction of the fp32 matmul throughput TorchSharp reaches in the same process (MFU), and
// generation with vs without the KV cache. Every figure is the median of --rounds rounds; each round measures the
// matmul peak again, so a round's MFU compares timings taken under the same machine load.
// --clock cpu times by process CPU time instead of wall time (meaningful with --threads 1 on a shared machine).
// Usage: dotnet run --project bench/AlignmentPipeline.Bench.Models -c Release -- [--shared ../shared/data] [--threads N] [--rounds 3] [--clock wall|cpu]
using AlignmentPipeline.Bench.Models;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.Runtime;
using static TorchSharp.torch;

var shared = Path.GetFullPath(Option("--shared") ?? "../shared/data");
var threads = int.Parse(Option("--threads") ?? Environment.ProcessorCount.ToString());
var rounds = int.Parse(Option("--rounds") ?? "3");
var clock = new BenchClock(Option("--clock") == "cpu");
const int B = 8, T = 256, NewTokens = 256, Bos = 1, Steps = 3;
var runtime = new ModelRuntimeOptions("cpu", "float32", threads);
runtime.ApplyThreads();
manual_seed(0);

var storiesBin = Path.Combine(shared, "models/stories260K/stories260K.bin");
var (stories, storiesWeights) = File.Exists(storiesBin)
    ? ((LlamaModel)ModelLoader.Load(storiesBin, runtime).Model, $"trained ({Path.GetRelativePath(Environment.CurrentDirectory, storiesBin)})")
    : (new LlamaModel(Configs.Stories260K), "random (stories260K.bin not found)");
var llama15M = new LlamaModel(Configs.Stories15M);
llama15M.eval();
(string Name, LlamaModel Model, string Weights)[] models = [("stories260K", stories, storiesWeights), ("llama 15M", llama15M, "random")];

var shapes = models.SelectMany(m => MatmulProbe.ModelShapes(B * T, m.Model.Config.HiddenSize, m.Model.Config.IntermediateSize, m.Model.Config.VocabSize))
    .Distinct().ToArray();
var peaks = new List<double>();
var shapeGflops = shapes.ToDictionary(s => s, _ => new List<double>());
var results = models.ToDictionary(m => m.Name, _ => new List<Round>());
var loads = new List<string>();
for (var round = 1; round <= rounds; round++)
{
    loads.Add(File.ReadAllText("/proc/loadavg").Split(' ')[0]);
    Console.Error.WriteLine($"round {round}/{rounds}, load {loads[^1]}");
    foreach (var shape in shapes)
    {
        shapeGflops[shape].Add(MatmulProbe.BestGflops(shape.M, shape.K, shape.N, repeats: 3, clock));
    }

    var peak = shapes.Max(s => shapeGflops[s][^1]);
    peaks.Add(peak);
    foreach (var (name, model, _) in models)
    {
        var config = model.Config;
        var ids = randint(config.VocabSize, [B, T], dtype: int64); // (B, T)
        var forward = ThroughputProbe.ForwardSeconds(model, ids, Steps, clock);
        var train = ThroughputProbe.ForwardBackwardSeconds(model, ids, Steps, clock);
        var (cachedSeconds, cachedTokens) = ThroughputProbe.GreedySeconds(model, Bos, NewTokens, useKvCache: true, clock);
        var (plainSeconds, plainTokens) = ThroughputProbe.GreedySeconds(model, Bos, NewTokens, useKvCache: false, clock);
        if (!cachedTokens.SequenceEqual(plainTokens))
        {
            throw new InvalidOperationException($"{name}: greedy tokens with and without the KV cache differ");
        }

        var forwardFlops = ModelFlops.Forward(config, B, T);
        var trainFlops = 3 * ModelFlops.Forward(config, B, T - 1);
        results[name].Add(new Round(
            B * T / forward, forwardFlops / forward / 1e9 / peak,
            B * (T - 1) / train, trainFlops / train / 1e9 / peak,
            cachedTokens.Length / plainSeconds, cachedTokens.Length / cachedSeconds));
        Console.Error.WriteLine($"  {name}: {results[name][^1]}");
    }
}

var loadsAfter = File.ReadAllText("/proc/loadavg").Split(' ')[0];
Console.WriteLine($"Models benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, torch threads {threads}, fp32, {clock.Name} clock, " +
                  $"median of {rounds} rounds; 1-min load average at each round start {string.Join(", ", loads)}, at the end {loadsAfter}.");
Console.WriteLine();
Console.WriteLine("fp32 torch.matmul, (M×K)·(K×N), best of 3 per round, median over rounds:");
Console.WriteLine();
Console.WriteLine("| M | K | N | GFLOP/s |");
Console.WriteLine("|---:|---:|---:|---:|");
foreach (var s in shapes)
{
    Console.WriteLine($"| {s.M} | {s.K} | {s.N} | {Stats.Median(shapeGflops[s]):0.0} |");
}

Console.WriteLine();
Console.WriteLine($"Peak (MFU denominator, the best shape of each round): median {Stats.Median(peaks):0.0} GFLOP/s (rounds: {string.Join(", ", peaks.Select(p => p.ToString("0.0")))}).");
Console.WriteLine();
Console.WriteLine($"Model FLOPs: forward = 2·P·B·T + 2·L·d·B·T·(T+1) (P = matmul weights incl. lm_head, d = heads·head_dim, causal attention), forward+backward = 3 × forward. Batch {B} × {T} (training: {T - 1} inputs, next-token targets).");
Console.WriteLine();
Console.WriteLine("| model | weights | P | forward tok/s | forward MFU | fwd+bwd tok/s | train MFU | generate tok/s, no cache | generate tok/s, KV cache | KV speed-up |");
Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
foreach (var (name, model, weights) in models)
{
    var r = results[name];
    double M(Func<Round, double> f) => Stats.Median(r.Select(f));
    Console.WriteLine($"| {name} | {weights} | {ModelFlops.MatmulParameters(model.Config) / 1e6:0.00}M | {M(x => x.ForwardTokens):0} | {M(x => x.ForwardMfu):P0} | " +
                      $"{M(x => x.TrainTokens):0} | {M(x => x.TrainMfu):P0} | {M(x => x.PlainGenerate):0.0} | {M(x => x.CachedGenerate):0.0} | " +
                      $"{M(x => x.CachedGenerate / x.PlainGenerate):0.0}× |");
}

Console.WriteLine();
Console.WriteLine($"Generation: greedy, {NewTokens} new tokens after BOS, batch 1; the tokens with and without the cache were asserted equal.");
return;

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

/// <summary>One round's figures for one model.</summary>
internal sealed record Round(double ForwardTokens, double ForwardMfu, double TrainTokens, double TrainMfu, double PlainGenerate, double CachedGenerate);
