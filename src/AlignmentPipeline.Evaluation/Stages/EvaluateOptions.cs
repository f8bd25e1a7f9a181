using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using AlignmentPipeline.Core.Configuration;

namespace AlignmentPipeline.Evaluation.Stages;

/// <summary>
/// Options of <c>kind: evaluate</c>. With a rule, llm or reward_model judge the input is a <c>generate</c> stage and the candidate and
/// baseline are model names in it; with <c>implicit_reward</c> the input is a <c>ref-logprobs</c> stage.
/// </summary>
public sealed record EvaluateOptions : IValidatableOptions
{
    [Description("rule/llm/reward_model: the evaluated model's name in the generate output. implicit_reward: the name the report gives the " +
                 "policy (default: 'policy' as written).")]
    public string? Candidate { get; init; }

    [Description("rule/llm/reward_model: the baseline's model name in the generate output, or dataset_chosen for the dataset's chosen " +
                 "responses. implicit_reward: the name the report gives the reference (default: reference).")]
    public string? Baseline { get; init; }

    [Required]
    [Description("The judge: {type: rule, scorer: …}, {type: llm, base_url: …, model: …, api_key_env: …}, " +
                 "{type: implicit_reward, policy: …, beta: …} or {type: reward_model, reward_model: …}.")]
    public JudgeOptions Judge { get; init; } = new();

    [Description("implicit_reward: which rows of the cache to score by their split (eval, train, all); a cache of an " +
                 "unsplit input is read whole. Default: eval.")]
    public PromptSplit Split { get; init; } = PromptSplit.Eval;

    [Description("Bootstrap resamples behind the interval. Default: 2000.")]
    [Range(1, 10_000_000)]
    public int BootstrapResamples { get; init; } = 2000;

    [Description("Seed of the bootstrap. Default: 0.")]
    [Range(0, int.MaxValue)]
    public int BootstrapSeed { get; init; }

    [Description("Coverage of the interval, in (0, 1). Default: 0.95.")]
    [Range(0.5, 0.9999)]
    public double CiLevel { get; init; } = 0.95;

    [Description("rule/llm/reward_model: items judged at once (a reward model scores one item at a time). Default: 8.")]
    [Range(1, 1024)]
    public int MaxParallelism { get; init; } = 8;

    public IEnumerable<OptionProblem> Validate()
    {
        if (Judge.Type != JudgeType.ImplicitReward)
        {
            if (Candidate is null)
            {
                yield return new OptionProblem("candidate", "name the evaluated model as it appears in the generate output");
            }

            if (Baseline is null)
            {
                yield return new OptionProblem("baseline", "name the baseline model as it appears in the generate output, or dataset_chosen");
            }
        }
    }
}
