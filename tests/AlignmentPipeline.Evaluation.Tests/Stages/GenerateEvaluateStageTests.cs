using System.Text.Json.Nodes;
using AlignmentPipeline.Evaluation.Judges.Rules;
using AlignmentPipeline.Evaluation.Reports;
using AlignmentPipeline.Evaluation.Stages;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Generation;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Modeling.Tokenization;

namespace AlignmentPipeline.Evaluation.Tests.Stages;

public sealed class GenerateEvaluateStageTests
{
    /// <summary>Seven canonical pairs whose chosen responses carry 2, 1, 0 or −1 lexicon words.</summary>
    internal const string PairsJsonl =
        """
        {"prompt": "Tom saw a sad girl.", "chosen": "He was kind and shared his toy.", "rejected": "He pushed her."}
        {"prompt": "Mia had two apples.", "chosen": "She gave one to a friend.", "rejected": "She ate both."}
        {"prompt": "The dog was hungry.", "chosen": "Ben fed it.", "rejected": "Ben ignored it."}
        {"prompt": "A boy fell down.", "chosen": "Sam helped him up with a smile.", "rejected": "Sam laughed."}
        {"prompt": "It was raining.", "chosen": "They stayed inside.", "rejected": "They got wet."}
        {"prompt": "Lily lost her hat.", "chosen": "Her mom was angry at first.", "rejected": "Nobody cared."}
        {"prompt": "The cat slept.", "chosen": "Everyone was happy and glad.", "rejected": "The cat was mean."}
        """;

    [Fact]
    public async Task Rule_judge_report_matches_a_recount_and_a_model_against_itself_wins_half()
    {
        using var pipeline = new StagePipeline();
        var (a, b) = SaveModels(pipeline);
        var outputs = await pipeline.RunAsync(
            $"""
               pairs:
                 kind: ingest
                 inputs: [{pipeline.WriteFile("pairs.jsonl", PairsJsonl)}]
                 format: canonical
               gen:
                 kind: generate
                 prompts: pairs
                 models: [{a}, {b}]
                 names: [a, b]
                 max_new_tokens: 12
                 temperature: 0.8
                 seed: 3
                 batch_size: 3
               self:
                 kind: evaluate
                 input: gen
                 candidate: a
                 baseline: a
                 judge: {"{"} type: rule, scorer: lexicon-sentiment {"}"}
               vs_chosen:
                 kind: evaluate
                 input: gen
                 candidate: a
                 baseline: dataset_chosen
                 judge: {"{"} type: rule, scorer: lexicon-sentiment {"}"}
             """);

        var generated = (await outputs.RowsAsync("gen")).Select(GeneratedResponse.FromRow).ToList();
        Assert.Equal(3 * 7, generated.Count);
        Assert.Equal(["a", "b", "dataset_chosen"], generated.Select(g => g.Model).Distinct().Order(StringComparer.Ordinal));
        Assert.All(generated.Where(g => g.Model != "dataset_chosen"), g => Assert.InRange(g.ResponseTokens, 1, 12));

        var self = ReportJson.Read((await outputs.JsonAsync("self", "report.json")).ToJsonString());
        Assert.Equal(("rule:lexicon-sentiment", "a", "a"), (self.Judge, self.Candidate, self.Baseline));
        Assert.Equal((7, 7, 0.5), (self.Summary.N, self.Summary.Ties, self.Summary.WinRate));

        // Recount: score every candidate/baseline text with the scorer itself and apply "higher score wins, equal ties".
        var scorer = new LexiconSentimentScorer();
        var candidate = generated.Where(g => g.Model == "a").ToDictionary(g => g.PromptId);
        var expected = generated.Where(g => g.Model == "dataset_chosen")
            .Select(g => Math.Sign(scorer.Score("", candidate[g.PromptId].Response) - scorer.Score("", g.Response)))
            .ToList();
        var report = ReportJson.Read((await outputs.JsonAsync("vs_chosen", "report.json")).ToJsonString());
        Assert.Equal(("a", "dataset_chosen"), (report.Candidate, report.Baseline));
        Assert.Equal(expected.Count(v => v > 0), report.Summary.Wins);
        Assert.Equal(expected.Count(v => v < 0), report.Summary.Losses);
        Assert.Equal(expected.Count(v => v == 0), report.Summary.Ties);
        Assert.Equal(expected.Average(v => (v + 1) / 2.0), report.Summary.WinRate, 12);
        Assert.True(report.Summary.Losses >= 3, $"the chosen texts carry kind words, random bytes rarely do; losses {report.Summary.Losses}");

        var stats = await outputs.JsonAsync("vs_chosen", "stats.json");
        Assert.Equal(report.Summary.WinRate, stats["win_rate"]!.GetValue<double>());
        var files = outputs["vs_chosen"].Files;
        foreach (var file in new[] { "report.json", "report.md", "judgments.parquet", "judgments.jsonl", "win_rate.png", "lengths.png", "scores.png" })
        {
            Assert.Contains(file, files);
        }

        var judgments = await outputs.RowsAsync([outputs["vs_chosen"].Path(JudgmentTable.FileName)]);
        Assert.Equal(expected.Select(v => v > 0 ? "win" : v < 0 ? "loss" : "tie"), judgments.Select(j => j.String("verdict")));
    }

    [Fact]
    public async Task Generation_with_the_same_seed_gives_the_same_text_and_greedy_text_equals_a_direct_generation()
    {
        using var first = new StagePipeline();
        using var second = new StagePipeline();
        var model = TinyModels.Save(Path.Combine(first.Root, "model-a"), seed: 11);
        var prompts = "Once upon a time\nThe little fox\nA big red ball\nIn the garden\nShe opened the door\n";

        async Task<List<GeneratedResponse>> GenerateAsync(StagePipeline pipeline, double temperature, int seed) =>
            (await (await pipeline.RunAsync(
                $"""
                   gen:
                     kind: generate
                     prompts: {pipeline.WriteFile("prompts.txt", prompts)}
                     models: [{model}]
                     max_new_tokens: 16
                     batch_size: 2
                     temperature: {temperature}
                     seed: {seed}
                 """)).RowsAsync("gen")).Select(GeneratedResponse.FromRow).ToList();

        var sampled = await GenerateAsync(first, 0.9, 7);
        var again = await GenerateAsync(second, 0.9, 7);
        var otherSeed = await GenerateAsync(second, 0.9, 8);
        Assert.Equal(5, sampled.Count);
        Assert.Equal(sampled.Select(r => r.Response), again.Select(r => r.Response));
        Assert.NotEqual(sampled.Select(r => r.Response), otherSeed.Select(r => r.Response));

        var greedy = await GenerateAsync(first, 0, 7);
        var tokenizer = new ByteTokenizer();
        using var loaded = ModelLoader.Load(model, ModelRuntimeOptions.Cpu).Model;
        foreach (var (row, prompt) in greedy.Zip(prompts.Split('\n', StringSplitOptions.RemoveEmptyEntries)))
        {
            var ids = TextGenerator.Generate(loaded, [[tokenizer.BosId!.Value, .. tokenizer.Encode(prompt)]],
                new GenerationOptions { MaxNewTokens = 16, StopTokens = [tokenizer.EosId!.Value] })[0];
            Assert.Equal(tokenizer.Decode(ids), row.Response);
            Assert.Equal(prompt, row.Prompt);
        }
    }

    [Fact]
    public async Task Stop_strings_cut_the_response_and_count_the_tokens_spent()
    {
        var tokenizer = new ByteTokenizer();
        var (text, tokens) = StopStrings.Cut(tokenizer, tokenizer.Encode("Hello.\nUser: more"), ["\nUser:", "zzz"]);
        Assert.Equal(("Hello.", 12), (text, tokens)); // "Hello.\nUser:" is 12 bytes: the stop string completes at token 12
        Assert.Equal(("abc", 3), StopStrings.Cut(tokenizer, tokenizer.Encode("abc"), ["\n"]));
    }

    internal static (string A, string B) SaveModels(StagePipeline pipeline) =>
        (TinyModels.Save(Path.Combine(pipeline.Root, "model-a"), seed: 1), TinyModels.Save(Path.Combine(pipeline.Root, "model-b"), seed: 2));
}
