using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Data;
using AlignmentPipeline.Data.Tables;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.ReferenceCache;
using AlignmentPipeline.Modeling.Tokenization;
using AlignmentPipeline.TestSupport;

namespace AlignmentPipeline.Modeling.Tests.ReferenceCache;

/// <summary>
/// A temp folder with local storage, a tiny random Llama saved as a Hugging Face folder with a byte tokenizer, and
/// generated canonical pairs; runs <c>ingest → ref-logprobs</c> pipelines in process.
/// </summary>
internal sealed class CacheHarness : IDisposable
{
    private readonly TempDirectory temp = new("align-refcache");

    public CacheHarness()
    {
        Storage = new LocalStorage(System.IO.Path.Combine(temp.Path, "runs"));
        ModelFolder = temp.File("model/config.json")[..^"/config.json".Length];
        using var model = TestModels.Randomized(new LlamaModel(TinyConfig), 7);
        model.Save(ModelFolder);
        new ByteTokenizer().Save(System.IO.Path.Combine(ModelFolder, ByteTokenizer.FileName));
    }

    /// <summary>Byte vocabulary (259 ids), 2 layers, 512 positions.</summary>
    public static LlamaConfig TinyConfig { get; } = TestModels.Llama(vocab: new ByteTokenizer().VocabSize) with { MaxSequenceLength = 512 };

    public LocalStorage Storage { get; }

    public string ModelFolder { get; }

    public string Root => temp.Path;

    /// <summary>Writes canonical JSONL pairs with prompts, chosen and rejected texts of varied lengths.</summary>
    public string WritePairs(int count, int seed = 1, string name = "pairs.jsonl", int longPromptEvery = 0)
    {
        var random = new Random(seed);
        string Text(int min, int max) => string.Concat(Enumerable.Range(0, random.Next(min, max)).Select(_ => (char)random.Next('a', 'z' + 1)));
        var lines = Enumerable.Range(0, count).Select(i => new JsonObject
        {
            ["id"] = $"p{i:D3}",
            ["prompt"] = longPromptEvery > 0 && i % longPromptEvery == 0 ? Text(200, 201) : $"Q{i}: " + Text(1, 30),
            ["chosen"] = " yes " + Text(1, 40),
            ["rejected"] = " no " + Text(0, 60),
        }.ToJsonString());
        return temp.Write($"in/{name}", string.Join("\n", lines) + "\n");
    }

    /// <summary>
    /// Runs a pipeline named <paramref name="pipeline"/> (from <c>&lt;pipeline&gt;.yaml</c>): an ingest stage named
    /// <c>pairs</c> over <paramref name="input"/> and a <c>ref</c> stage with extra YAML options.
    /// </summary>
    public async Task<Result> RunAsync(string input, string refOptions = "", string? model = null, string ingestFormat = "canonical", string pipeline = "cache-test")
    {
        var yaml = $"""
            name: {pipeline}
            stages:
              pairs:
                kind: ingest
                inputs: ["{input}"]
                format: {ingestFormat}
              ref:
                kind: ref-logprobs
                input: pairs
                model: "{model ?? ModelFolder}"
                device: cpu
            {Indent(refOptions)}
            """;
        var spec = new PipelineLoader(new StageRegistry([.. DataStageKinds.All, .. ModelingStageKinds.All])).Load(yaml, System.IO.Path.Combine(Root, $"{pipeline}.yaml"));
        var record = await new PipelineRunner(new RunOptions { Storage = Storage, Executor = new LocalExecutor(2) }).RunAsync(spec, TestContext.Current.CancellationToken);
        Assert.True(record.Status == RunStatus.Succeeded, $"run failed: {record.Error}");
        var store = new RunStore(Storage);
        var pairs = (await store.TryLoadOutputAsync("pairs", record.Stages[0].Fingerprint, TestContext.Current.CancellationToken))!;
        var cache = (await store.TryLoadOutputAsync("ref", record.Stages[1].Fingerprint, TestContext.Current.CancellationToken))!;
        return new Result(Storage, record, pairs, cache);
    }

    public void Dispose() => temp.Dispose();

    private static string Indent(string options) =>
        string.Join("\n", options.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "    " + l.Trim()));

    /// <summary>What one run produced.</summary>
    public sealed record Result(IStorage Storage, RunRecord Record, StageOutput Pairs, StageOutput Cache)
    {
        public async Task<List<CachedPair>> RowsAsync() =>
            await ReferenceCacheReader.ReadAsync(Storage, Cache, cancellationToken: TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);

        public async Task<List<(string Source, string Reason)>> QuarantineAsync()
        {
            var rows = new List<(string, string)>();
            var parts = Cache.Files.Where(f => f.StartsWith("quarantine/", StringComparison.Ordinal)).Select(Cache.Path);
            await foreach (var row in ParquetTableReader.ReadAllAsync(Storage, parts, TestContext.Current.CancellationToken))
            {
                rows.Add((row.String("source")!, row.String("reason")!));
            }

            return rows;
        }
    }
}
