using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data;

namespace AlignmentPipeline.Evaluation.Tests.Stages;

/// <remarks>
/// The core binder runs cross-field validation only while no other error was found, so each case below is a pipeline
/// of its own.
/// </remarks>
public sealed class StageOptionsValidationTests
{
    [Fact]
    public void Generate_reports_a_names_count_mismatch_and_the_reserved_name_together()
    {
        var messages = Problems(pairs => $"""
                                            gen:
                                              kind: generate
                                              prompts: pairs
                                              models: [{pairs}, {pairs}]
                                              names: [a, dataset_chosen, c]
                                          """);
        Assert.Contains(messages, m => m.Contains("'names'") && m.Contains("3 names for 2 models"));
        Assert.Contains(messages, m => m.Contains("'names'") && m.Contains("'dataset_chosen' is reserved"));
    }

    [Fact]
    public void A_judge_names_every_key_that_belongs_to_another_type_and_every_key_it_lacks()
    {
        var messages = Problems(_ => """
                                       eval:
                                         kind: evaluate
                                         input: pairs
                                         candidate: a
                                         baseline: b
                                         judge: { type: rule, base_url: "http://localhost:1/v1", beta: 0.2 }
                                     """);
        Assert.Contains(messages, m => m.Contains("'judge.base_url'") && m.Contains("type llm only"));
        Assert.Contains(messages, m => m.Contains("'judge.scorer'") && m.Contains("needs a scorer"));
        Assert.Equal(2, messages.Count); // beta has a default and is ignored by rule judges; only keys without defaults are checked
    }

    [Fact]
    public void A_rule_judge_needs_a_candidate()
    {
        var messages = Problems(_ => """
                                       eval:
                                         kind: evaluate
                                         input: pairs
                                         baseline: b
                                         judge: { type: rule, scorer: length }
                                     """);
        Assert.Equal(["'candidate': name the evaluated model as it appears in the generate output"],
            messages.Select(m => m[m.IndexOf('\'')..]));
    }

    private static List<string> Problems(Func<string, string> stages)
    {
        using var pipeline = new StagePipeline();
        var pairs = pipeline.WriteFile("pairs.jsonl", GenerateEvaluateStageTests.PairsJsonl);
        var yaml = $"name: test\nstages:\n  pairs:\n    kind: ingest\n    inputs: [{pairs}]\n{stages(pairs)}";
        var registry = new StageRegistry([.. DataStageKinds.All, .. EvaluationStageKinds.All]);
        var error = Assert.Throws<ConfigException>(() => new PipelineLoader(registry).Load(yaml, Path.Combine(pipeline.Root, "pipeline.yaml")));
        return error.Errors.Select(e => e.Message).ToList();
    }
}
