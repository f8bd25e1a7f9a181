using System.Text.Json.Nodes;
using AlignmentPipeline.Evaluation.Reports;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Modeling.Tokenization;
using static TorchSharp.torch;

namespace AlignmentPipeline.Evaluation.Tests.Stages;

public sealed class ImplicitRewardStageTests
{
    private const double Beta = 0.1;

    /// <summary>
    /// YAML of an ingest stage <c>pairs</c> over <see cref="GenerateEvaluateStageTests.PairsJsonl"/> and a ref-logprobs
    /// stage <c>ref</c> scoring them with <paramref name="model"/> and the given option lines.
    /// </summary>
    internal static string PairsAndCache(StagePipeline pipeline, string model, params string[] refOptions) =>
        $"""
           pairs:
             kind: ingest
             inputs: [{pipeline.WriteFile("pairs.jsonl", GenerateEvaluateStageTests.PairsJsonl)}]
             format: canonical
           ref:
             kind: ref-logprobs
             input: pairs
             model: {model}

         """ + string.Concat(refOptions.Select(line => $"    {line}\n"));

    [Fact]
    public async Task Policy_equal_to_its_reference_ties_every_pair_and_another_policy_matches_per_pair_logprobs()
    {
        using var pipeline = new StagePipeline();
        var (a, b) = GenerateEvaluateStageTests.SaveModels(pipeline);
        var outputs = await pipeline.RunAsync(
            PairsAndCache(pipeline, a, "max_length: 128", "batch_tokens: 300") +
            $"""
               same:
                 kind: evaluate
                 input: ref
                 judge: {"{"} type: implicit_reward, policy: {a}, beta: {Beta} {"}"}
               other:
                 kind: evaluate
                 input: ref
                 candidate: policy-b
                 judge: {"{"} type: implicit_reward, policy: {b}, beta: {Beta} {"}"}
             """);

        // Policy = reference: every log-ratio difference is float noise of two batchings, inside the 1e-3 tie tolerance.
        var same = ReportJson.Read((await outputs.JsonAsync("same", "report.json")).ToJsonString());
        Assert.Equal(("implicit_reward", a, "reference"), (same.Judge, same.Candidate, same.Baseline));
        Assert.Equal((7, 7, 0.5), (same.Summary.N, same.Summary.Ties, same.Summary.WinRate));
        Assert.Equal(0.0, same.JudgeFields["rewards/accuracies"]!.GetValue<double>()); // TRL's strict accuracy counts ties as wrong
        Assert.InRange(Math.Abs(same.JudgeFields["rewards/margins"]!.GetValue<double>()), 0, Beta * 1e-4);

        // Another policy: recompute each pair alone (batch of one, no padding) with both models.
        var expected = ExpectedMargins(a, b);
        var other = ReportJson.Read((await outputs.JsonAsync("other", "report.json")).ToJsonString());
        Assert.Equal("policy-b", other.Candidate);
        Assert.Equal(expected.Count(m => m > 1e-3), other.Summary.Wins);
        Assert.Equal(expected.Count(m => m < -1e-3), other.Summary.Losses);
        Assert.Equal(expected.Average() * Beta, other.JudgeFields["rewards/margins"]!.GetValue<double>(), 4);
        Assert.Equal(expected.Count(m => m > 1e-3) / 7.0, other.JudgeFields["rewards/accuracies"]!.GetValue<double>(), 12);
        var stats = await outputs.JsonAsync("other", "stats.json");
        Assert.Equal(other.Summary.WinRate, stats["win_rate"]!.GetValue<double>());
    }

    [Fact]
    public async Task A_cache_built_with_a_chat_template_and_keep_end_is_read_back_with_its_own_tokenization()
    {
        using var pipeline = new StagePipeline();
        var (a, _) = GenerateEvaluateStageTests.SaveModels(pipeline);
        // chatml adds ~40 bytes around each prompt; max_length 64 makes keep_end cut every prompt's start.
        var outputs = await pipeline.RunAsync(
            PairsAndCache(pipeline, a, "template: chatml", "max_length: 64", "truncation: keep_end") +
            $"""
               same:
                 kind: evaluate
                 input: ref
                 judge: {"{"} type: implicit_reward, policy: {a}, beta: {Beta} {"}"}
             """);

        // The evaluator re-tokenizes every pair (a different template, cut or EOS rule would change the token counts,
        // which it refuses, or the log-probs); with policy = reference each log-ratio is then float noise only.
        var same = ReportJson.Read((await outputs.JsonAsync("same", "report.json")).ToJsonString());
        Assert.Equal((7, 7), (same.Summary.N, same.Summary.Ties));
        Assert.InRange(Math.Abs(same.JudgeFields["rewards/margins"]!.GetValue<double>()), 0, Beta * 1e-4);
        // keep_end did cut: every chosen sequence (cut prompt + whole completion) holds exactly max_length tokens.
        var stats = await outputs.JsonAsync("ref", "stats.json");
        Assert.Equal(7 * 64, stats["prompt_tokens"]!.GetValue<long>() + stats["chosen_tokens"]!.GetValue<long>());
    }

    [Fact]
    public async Task Implicit_reward_refuses_a_generate_input()
    {
        using var pipeline = new StagePipeline();
        var (a, _) = GenerateEvaluateStageTests.SaveModels(pipeline);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => pipeline.RunAsync(
            $"""
               gen:
                 kind: generate
                 prompts: {pipeline.WriteFile("prompts.txt", "Hello\n")}
                 models: [{a}]
                 max_new_tokens: 2
               eval:
                 kind: evaluate
                 input: gen
                 judge: {"{"} type: implicit_reward, policy: {a} {"}"}
             """));
        Assert.Contains("not a reference log-prob cache", error.Message + error.InnerException?.Message);
    }

    /// <summary>(log π_b − log π_a)(chosen) − (log π_b − log π_a)(rejected) per pair, each sequence scored on its own.</summary>
    private static List<double> ExpectedMargins(string referencePath, string policyPath)
    {
        var tokenizer = new ByteTokenizer();
        using var reference = ModelLoader.Load(referencePath, ModelRuntimeOptions.Cpu).Model;
        using var policy = ModelLoader.Load(policyPath, ModelRuntimeOptions.Cpu).Model;
        double LogProb(ICausalLanguageModel model, string prompt, string completion)
        {
            using var scope = NewDisposeScope();
            var request = new LogProbRequest([tokenizer.BosId!.Value, .. tokenizer.Encode(prompt)], [.. tokenizer.Encode(completion), tokenizer.EosId!.Value]);
            return CompletionLogProbs.Compute(model, [request], LogProbMode.Inference).ToSequences()[0].Sum;
        }

        return GenerateEvaluateStageTests.PairsJsonl.Split('\n').Select(line => JsonNode.Parse(line)!).Select(pair =>
        {
            var (prompt, chosen, rejected) = ((string)pair["prompt"]!, (string)pair["chosen"]!, (string)pair["rejected"]!);
            return (LogProb(policy, prompt, chosen) - LogProb(reference, prompt, chosen)) - (LogProb(policy, prompt, rejected) - LogProb(reference, prompt, rejected));
        }).ToList();
    }
}
