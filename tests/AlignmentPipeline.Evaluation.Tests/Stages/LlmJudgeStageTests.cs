using System.Text;
using System.Text.Json;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Evaluation.Reports;
using AlignmentPipeline.Evaluation.Stages;
using AlignmentPipeline.Evaluation.Tests.Judges;

namespace AlignmentPipeline.Evaluation.Tests.Stages;

public sealed class LlmJudgeStageTests
{
    [Fact]
    public async Task Llm_judge_stage_sends_the_key_from_the_named_variable_and_stores_it_nowhere()
    {
        const string variable = "ALIGN_EVAL_STAGE_TEST_KEY", key = "sk-test-0b7d1e";
        Environment.SetEnvironmentVariable(variable, key);
        await using var server = OpenAiCompatibleServerDouble.Start(KindnessJudgeScript.Reply);
        using var pipeline = new StagePipeline();
        var (a, _) = GenerateEvaluateStageTests.SaveModels(pipeline);
        var outputs = await pipeline.RunAsync(
            $"""
               pairs:
                 kind: ingest
                 inputs: [{pipeline.WriteFile("pairs.jsonl", GenerateEvaluateStageTests.PairsJsonl)}]
                 format: canonical
               gen:
                 kind: generate
                 prompts: pairs
                 models: [{a}]
                 names: [a]
                 max_new_tokens: 8
               eval:
                 kind: evaluate
                 input: gen
                 candidate: a
                 baseline: dataset_chosen
                 judge:
                   type: llm
                   base_url: {server.BaseUrl}
                   model: judge-model
                   api_key_env: {variable}
                   template: {JsonSerializer.Serialize(KindnessJudgeScript.Template)}
             """);

        // Only the first chosen response says "kind"; the script prefers it in both orders, every other item ties.
        var report = ReportJson.Read((await outputs.JsonAsync("eval", "report.json")).ToJsonString());
        Assert.Equal(("llm:judge-model", "a", "dataset_chosen"), (report.Judge, report.Candidate, report.Baseline));
        Assert.Equal((7, 0, 1, 6), (report.Summary.N, report.Summary.Wins, report.Summary.Losses, report.Summary.Ties));
        Assert.Equal(14, server.Requests.Count); // both orders of 7 items
        Assert.All(server.Requests, r => Assert.Equal($"Bearer {key}", r.Authorization));

        var output = outputs["eval"];
        Assert.Contains(EvaluateStage.LlmCacheFile, output.Files);
        foreach (var file in output.Files.Where(f => !f.EndsWith(".png", StringComparison.Ordinal) && !f.EndsWith(".parquet", StringComparison.Ordinal)).Append("manifest.json"))
        {
            var text = Encoding.UTF8.GetString(await pipeline.Storage.ReadAllBytesAsync(output.Path(file), TestContext.Current.CancellationToken));
            Assert.DoesNotContain(key, text);
        }
    }
}
