// Reference-cache throughput of stories260K on HH harmless pairs, three ways in one run:
// (a) one pair per forward, chosen and rejected padded together (batch_tokens: 1),
// (b) length-bucketed token-budget batches (batch_tokens: 8192),
// (c) (b) with prefix sharing.
// Usage: dotnet run --project bench/AlignmentPipeline.Bench.Cache -c Release -- <shared/data folder> [pairs=200]
using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Data;
using AlignmentPipeline.Modeling;

var data = Path.GetFullPath(args.Length > 0 ? args[0] : "../shared/data");
var pairs = args.Length > 1 ? int.Parse(args[1]) : 200;
var gguf = Path.Combine(data, "models/stories260K/stories260K.gguf");
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

var storage = new LocalStorage(Path.Combine(root, "runs"));
var registry = new StageRegistry([.. DataStageKinds.All, .. ModelingStageKinds.All]);
(string Name, string Options)[] variants =
[
    ("(a) one pair per forward", "batch_tokens: 1"),
    ("(b) bucketed, 8192 tokens", "batch_tokens: 8192"),
    ("(c) bucketed + prefix sharing", "batch_tokens: 8192\n    prefix_sharing: true"),
];
Console.WriteLine($"stories260K, first {pairs} HH harmless test transcripts, max_length 512, {Environment.ProcessorCount} cores");
double? baseline = null;
foreach (var (name, options) in variants)
{
    var yaml = $"""
        name: bench
        stages:
          pairs:
            kind: ingest
            inputs: ["{input}"]
            format: hh_transcript
          ref:
            kind: ref-logprobs
            input: pairs
            model: "{gguf}"
            device: cpu
            {options}
        """;
    var spec = new PipelineLoader(registry).Load(yaml, Path.Combine(root, "bench.yaml"));
    var watch = Stopwatch.StartNew();
    var record = await new PipelineRunner(new RunOptions { Storage = storage, Executor = new LocalExecutor(1) }).RunAsync(spec);
    var ref_ = record.Stages[1];
    var seconds = ref_.Seconds ?? watch.Elapsed.TotalSeconds;
    var stats = (JsonObject)await storage.ReadJsonAsync($"stages/ref/{ref_.Fingerprint}/stats.json");
    var tokens = stats["chosen_tokens"]!.GetValue<long>() + stats["rejected_tokens"]!.GetValue<long>();
    baseline ??= seconds;
    Console.WriteLine($"{name,-32} {ref_.RowsOut,5} pairs {seconds,7:0.00} s  {ref_.RowsOut / seconds,7:0.0} pairs/s  " +
                      $"{tokens / seconds,9:0} completion tokens/s  {stats["forwards"]} forwards  speed-up {baseline / seconds:0.00}x");
}

Directory.Delete(root, recursive: true);
