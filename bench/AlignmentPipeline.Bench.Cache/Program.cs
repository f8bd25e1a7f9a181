// Reference-cache throughput on HH harmless pairs, measured in one run for two models:
//   stories260K (the trained .gguf from shared/data) and
//   a ~15M-parameter Llama (stories15M's shape: dim 288, 6 layers, 6 heads, vocab 32000; random weights, seed 15),
// each three ways: (a) one pair per forward, chosen and rejected padded together (batch_tokens: 1),
// (b) length-bucketed token-budget batches (batch_tokens, default auto: 2048 on a CPU), (c) (b) with prefix sharing
// (each pair one packed row, prompt | chosen | rejected).
// The 15M model is tokenized with stories260K's tok512.bin. Its ids (< 512) are valid rows of a 32000-row embedding,
// and with random weights the cost does not depend on which ids arrive, only on how many: tok512 is a real
// SentencePiece BPE, so the lengths are those of a real subword tokenizer, and both models see the same sequences,
// which makes their rows comparable. (A 32000-piece Llama tokenizer would give somewhat fewer tokens per pair; none is
// in shared/data.) Wall time is what the stage record says; CPU time is this process's, which is the steadier number
// on a machine shared with other work.
// Usage: dotnet run --project bench/AlignmentPipeline.Bench.Cache -c Release -- <shared/data folder> [pairs=150] [threads=1] [batch_tokens=auto, or several: 1024,2048] [rounds=1]
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Data;
using AlignmentPipeline.Modeling;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.Runtime;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var data = Path.GetFullPath(args.Length > 0 ? args[0] : "../shared/data");
var pairs = args.Length > 1 ? int.Parse(args[1]) : 150;
var threads = args.Length > 2 ? int.Parse(args[2]) : 1;
var budgets = (args.Length > 3 ? args[3] : "auto").Split(',');
var rounds = args.Length > 4 ? int.Parse(args[4]) : 1;
new ModelRuntimeOptions("cpu", "float32", threads).ApplyThreads();
var root = Directory.CreateTempSubdirectory("align-bench-cache-").FullName;
var input = Path.Combine(root, "hh.jsonl.gz");
using (var reader = new StreamReader(new GZipStream(File.OpenRead(Path.Combine(data, "preferences/hh-rlhf-harmless-base/test.jsonl.gz")), CompressionMode.Decompress)))
using (var writer = new StreamWriter(new GZipStream(File.Create(input), CompressionLevel.Fastest)))
{
    for (var i = 0; i < pairs && reader.ReadLine() is { } line; i++)
    {
        writer.WriteLine(line);
    }
}

var llama15M = Path.Combine(root, "llama15m");
TorchSharp.torch.manual_seed(15);
using (var model = new LlamaModel(new LlamaConfig
{
    VocabSize = 32000, HiddenSize = 288, IntermediateSize = 768, NumLayers = 6, NumHeads = 6, NumKvHeads = 6,
    MaxSequenceLength = 512, Rotation = RopeRotation.Interleaved, TieWordEmbeddings = true,
}))
{
    model.Save(llama15M);
}

(string Name, string Model)[] models =
[
    ("stories260K", $"model: \"{Path.Combine(data, "models/stories260K/stories260K.gguf")}\""),
    ("llama 15M (random)", $"model: \"{llama15M}\"\n    tokenizer: \"{Path.Combine(data, "models/stories260K/tok512.bin")}\""),
];
// (a) once, then (b) and (c) for each budget: variants[1 + 2k] is (b) and variants[2 + 2k] is (c) of budgets[k].
(string Name, string Options)[] variants =
[
    ("(a) one pair per forward", "batch_tokens: 1"),
    .. budgets.SelectMany(budget => new[]
    {
        ($"(b) bucketed, {budget} tokens", $"batch_tokens: {budget}"),
        ($"(c) (b) + prefix sharing, {budget} tokens", $"batch_tokens: {budget}\n    prefix_sharing: true"),
    }),
];

var registry = new StageRegistry([.. DataStageKinds.All, .. ModelingStageKinds.All]);
string Pipeline(string refStage) => $"""
    name: bench
    stages:
      pairs:
        kind: ingest
        inputs: ["{input}"]
        format: hh_transcript
    {refStage}
    """;

Console.WriteLine($"First {pairs} HH harmless test transcripts, max_length 512, {threads} torch thread(s), {Environment.ProcessorCount} cores, " +
                  $"{rounds} round(s) of every variant in turn, fastest CPU time kept, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine();
Console.WriteLine("| model | variant | pairs | wall s | CPU s | pairs/s | completion tokens/s | forwards | positions run | CPU µs / position | load (1 min) |");
Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
var ratios = new List<string>();
foreach (var (modelName, modelOptions) in models)
{
    // Each round runs every variant once into fresh storage (nothing reused); per variant the round with the least CPU
    // time is kept, which on a shared machine is the one least disturbed by other work.
    var best = new (double Wall, double Cpu, long Rows, JsonObject Stats, string Load)[variants.Length];
    for (var round = 0; round < rounds; round++)
    {
        var storage = new LocalStorage(Path.Combine(root, $"runs-{modelName.Split(' ')[0]}-{round}"));
        var runner = new PipelineRunner(new RunOptions { Storage = storage, Executor = new LocalExecutor(1) });
        await runner.RunAsync(new PipelineLoader(registry).Load(Pipeline(""), Path.Combine(root, "bench.yaml"))); // ingest once per round
        for (var v = 0; v < variants.Length; v++)
        {
            var spec = new PipelineLoader(registry).Load(Pipeline($"""
                  ref:
                    kind: ref-logprobs
                    input: pairs
                    {modelOptions}
                    device: cpu
                    {variants[v].Options}
                """), Path.Combine(root, "bench.yaml"));
            var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var record = await runner.RunAsync(spec);
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            var stage = record.Stages.Single(s => s.Name == "ref");
            var wall = stage.Seconds ?? throw new InvalidOperationException($"stage ref was not computed: {stage.Status}");
            if (round == 0 || cpuSeconds < best[v].Cpu)
            {
                best[v] = (wall, cpuSeconds, stage.RowsOut ?? 0, (JsonObject)await storage.ReadJsonAsync($"stages/ref/{stage.Fingerprint}/stats.json"), load);
            }
        }
    }

    foreach (var ((name, _), (wall, cpuSeconds, rows, stats, load)) in variants.Zip(best))
    {
        var completionTokens = stats["chosen_tokens"]!.GetValue<long>() + stats["rejected_tokens"]!.GetValue<long>();
        var positions = stats["positions"]!.GetValue<long>();
        Console.WriteLine($"| {modelName} | {name} | {rows} | {wall:0.00} | {cpuSeconds:0.00} | {rows / wall:0.0} | {completionTokens / wall:0} | " +
                          $"{stats["forwards"]} | {positions} | {cpuSeconds / positions * 1e6:0.0} | {load} |");
    }

    for (var k = 0; k < budgets.Length; k++)
    {
        var (a, b, c) = (best[0], best[1 + 2 * k], best[2 + 2 * k]);
        ratios.Add($"{modelName}, batch_tokens {budgets[k]}: (b)/(a) = {a.Wall / b.Wall:0.00} wall, {a.Cpu / b.Cpu:0.00} CPU; " +
                   $"(c)/(b) = {b.Wall / c.Wall:0.00} wall, {b.Cpu / c.Cpu:0.00} CPU; (c)/(a) = {a.Wall / c.Wall:0.00} wall, {a.Cpu / c.Cpu:0.00} CPU.");
    }

    var last = best[0].Stats;
    var (prompt, chosen, rejected) = (last["prompt_tokens"]!.GetValue<long>(), last["chosen_tokens"]!.GetValue<long>(), last["rejected_tokens"]!.GetValue<long>());
    ratios.Add($"{modelName}: per pair {prompt / (double)best[0].Rows:0} prompt tokens, {(chosen + rejected) / (2.0 * best[0].Rows):0} tokens per completion; " +
               $"unpadded positions {2 * prompt + chosen + rejected} (prompt twice), {prompt + chosen + rejected} (prompt once).");
}

Console.WriteLine();
ratios.ForEach(Console.WriteLine);
Directory.Delete(root, recursive: true);
