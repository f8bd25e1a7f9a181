using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Runs;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Data.Ingest;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Splits;
using AlignmentPipeline.Data.Tables;
using AlignmentPipeline.TestSupport;

namespace AlignmentPipeline.Data.Tests.Splits;

public sealed class SplitTests
{
    private static readonly Dictionary<string, double> NinetyTen = new() { ["train"] = 0.9, ["eval"] = 0.1 };

    private static PreferencePair Pair(int i, string? prompt = null) =>
        new($"id{i}", prompt ?? $"prompt number {i}", $"good {i}", $"bad {i}", $"f:{i}");

    [Fact]
    public void Assignment_is_deterministic_and_close_to_the_fractions()
    {
        var a = new SplitAssigner(NinetyTen, SplitKey.Prompt, seed: 0);
        var b = new SplitAssigner(new Dictionary<string, double> { ["eval"] = 0.1, ["train"] = 0.9 }, SplitKey.Prompt, seed: 0);
        var splits = Enumerable.Range(0, 20_000).Select(i => a.Assign(Pair(i))).ToList();
        Assert.Equal(splits, Enumerable.Range(0, 20_000).Select(i => b.Assign(Pair(i))));
        double evalShare = splits.Count(s => s == "eval") / 20_000.0;
        Assert.InRange(evalShare, 0.09, 0.11); // binomial sd ≈ 0.0021, so ±0.01 is ≈ 4.7 sd
    }

    [Fact]
    public void Appending_rows_never_moves_an_existing_row()
    {
        var random = new Random(3);
        var assigner = new SplitAssigner(NinetyTen, SplitKey.Id, seed: 5);
        var before = Enumerable.Range(0, 5000).Select(i => Pair(random.Next())).ToList();
        var assigned = before.ToDictionary(p => p.Id, assigner.Assign);
        var grown = new SplitAssigner(NinetyTen, SplitKey.Id, seed: 5);
        foreach (var extra in Enumerable.Range(0, 5000).Select(i => Pair(random.Next())))
        {
            grown.Assign(extra);
        }

        Assert.All(before, p => Assert.Equal(assigned[p.Id], grown.Assign(p)));
    }

    [Fact]
    public void One_prompt_never_lands_in_two_splits()
    {
        var assigner = new SplitAssigner(new Dictionary<string, double> { ["a"] = 0.34, ["b"] = 0.33, ["c"] = 0.33 }, SplitKey.Prompt, seed: 1);
        for (int p = 0; p < 300; p++)
        {
            var splits = Enumerable.Range(0, 5).Select(i => assigner.Assign(Pair((p * 10) + i, prompt: $"shared  prompt {p}" + new string(' ', i)))).Distinct().ToList();
            Assert.Single(splits);
        }
    }

    [Fact]
    public async Task Split_stage_writes_one_folder_per_split_and_keeps_every_row()
    {
        using var temp = new TempDirectory("align-split");
        string corpus = temp.File("c.jsonl");
        await File.WriteAllLinesAsync(corpus, Enumerable.Range(0, 400).Select(i => $"{{\"prompt\":\"p{i}\",\"chosen\":\"c{i}\",\"rejected\":\"r{i}\"}}"));
        var storage = new LocalStorage(Path.Combine(temp.Path, "store"));
        var spec = new PipelineLoader(new StageRegistry([IngestStage.Kind, SplitStage.Kind])).Load($$"""
            name: s
            stages:
              ingest: { kind: ingest, inputs: ["{{corpus}}"] }
              split: { kind: split, input: ingest, fractions: { train: 0.75, eval: 0.25 } }
            """, "p.yaml");
        var record = await new PipelineRunner(new RunOptions { Storage = storage }).RunAsync(spec);
        var output = (await new RunStore(storage).TryLoadOutputAsync("split", record.Stages[1].Fingerprint))!;
        Assert.Contains("train/part-00000.parquet", output.Files);
        Assert.Contains("eval/part-00000.parquet", output.Files);
        long train = await ParquetTableReader.CountAsync(storage, output.Path("train/part-00000.parquet"));
        long eval = await ParquetTableReader.CountAsync(storage, output.Path("eval/part-00000.parquet"));
        Assert.Equal(400, train + eval);
        Assert.InRange(eval, 70, 130);
    }

    [Fact]
    public void Fractions_that_do_not_sum_to_one_are_a_config_error()
    {
        var e = Assert.Throws<ConfigException>(() => new PipelineLoader(new StageRegistry([IngestStage.Kind, SplitStage.Kind])).Load("""
            name: s
            stages:
              ingest: { kind: ingest, inputs: ["/etc/hostname"] }
              split: { kind: split, input: ingest, fractions: { train: 0.8, eval: 0.1 } }
            """, "p.yaml"));
        Assert.Contains(e.Errors, x => x.Message.Contains("fractions sum to 0.9", StringComparison.Ordinal) && x.Location.Line == 4);
    }
}
