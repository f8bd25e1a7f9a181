using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Evaluation.Judges.Llm;

namespace AlignmentPipeline.Evaluation.Stages;

/// <summary>The <c>judge:</c> mapping of <c>kind: evaluate</c>; which keys apply depends on <see cref="Type"/>.</summary>
public sealed record JudgeOptions : IValidatableOptions
{
    [Required]
    [Description("rule, llm, implicit_reward or reward_model.")]
    public JudgeType Type { get; init; }

    [Description("rule: the scorer's registry name (length, lexicon-sentiment). Required for rule.")]
    public string? Scorer { get; init; }

    [Description("rule, reward_model: score (reward) differences with absolute value at most this are ties. Default: 0.")]
    [Range(0.0, double.MaxValue)]
    public double TieMargin { get; init; }

    [Description("llm: base URL with the API version, e.g. https://api.openai.com/v1 or http://127.0.0.1:8000/v1. Required for llm.")]
    public string? BaseUrl { get; init; }

    [Description("llm: the judge model's name, e.g. gpt-4o-mini. Required for llm.")]
    public string? Model { get; init; }

    [Description("llm: the NAME of the environment variable holding the API key (e.g. OPENAI_API_KEY), never the key. " +
                 "Default: none (no Authorization header, for local servers).")]
    public string? ApiKeyEnv { get; init; }

    [Description("llm: the prompt with {{prompt}}, {{response_a}}, {{response_b}}; the reply's last line must be [[A]], [[B]] " +
                 "or [[tie]]. Default: the built-in pairwise template.")]
    public string? Template { get; init; }

    [Description("llm: requests in flight at once. Default: 4.")]
    [Range(1, 1024)]
    public int MaxConcurrency { get; init; } = 4;

    [Description("llm: max_tokens of each reply. Default: 1024.")]
    [Range(1, 1_000_000)]
    public int MaxTokens { get; init; } = 1024;

    [Description("llm: local JSONL file of cached verdicts, shared across runs (a rerun asks only what is not cached). " +
                 "Default: a scratch file, published as llm_judge_cache.jsonl in the stage output.")]
    public string? Cache { get; init; }

    [Description("implicit_reward: the policy, a stage that publishes a model or a model path. Required for implicit_reward.")]
    [PathOrStage]
    public string? Policy { get; init; }

    [Description("implicit_reward: the DPO β; reward = β·(log π(y|x) − log π_ref(y|x)). Default: 0.1.")]
    [Range(1e-9, 1e9)]
    public double Beta { get; init; } = 0.1;

    [Description("implicit_reward: a pair is a tie (counted ½) when |log-ratio(chosen) − log-ratio(rejected)| ≤ this, in nats. " +
                 "Default: 0.001 (float32 noise between batchings stays far below it).")]
    [Range(0.0, 1e9)]
    public double TieTolerance { get; init; } = 1e-3;

    [Description("implicit_reward: the policy's tokenizer file or folder. Default: the policy's own. Its hash must equal the cache's.")]
    [PathOrStage(AllowStage = false)]
    public string? Tokenizer { get; init; }

    [Description("implicit_reward: token budget of one forward (sequences × padded length). Default: 8192.")]
    [Range(1, 100_000_000)]
    public int BatchTokens { get; init; } = 8192;

    [Description("implicit_reward, reward_model: auto (default: CUDA when available), cpu or cuda.")]
    public string Device { get; init; } = "auto";

    [Description("reward_model: the reward model, a reward-model stage or a folder it published. Required for reward_model.")]
    [PathOrStage]
    public string? RewardModel { get; init; }

    public IEnumerable<OptionProblem> Validate()
    {
        var applies = new (string Key, bool Set, JudgeType Type)[]
        {
            ("scorer", Scorer is not null, JudgeType.Rule),
            ("tie_margin", TieMargin != 0 && Type != JudgeType.RewardModel, JudgeType.Rule),
            ("base_url", BaseUrl is not null, JudgeType.Llm),
            ("model", Model is not null, JudgeType.Llm),
            ("api_key_env", ApiKeyEnv is not null, JudgeType.Llm),
            ("template", Template is not null, JudgeType.Llm),
            ("cache", Cache is not null, JudgeType.Llm),
            ("policy", Policy is not null, JudgeType.ImplicitReward),
            ("tokenizer", Tokenizer is not null, JudgeType.ImplicitReward),
            ("reward_model", RewardModel is not null, JudgeType.RewardModel),
        };
        foreach (var (key, set, type) in applies.Where(a => a.Set && a.Type != Type))
        {
            yield return new OptionProblem(key, $"applies to judges of type {Name(type)} only, this judge is {Name(Type)}; remove it");
        }

        switch (Type)
        {
            case JudgeType.Rule when Scorer is null:
                yield return new OptionProblem("scorer", "a rule judge needs a scorer, e.g. 'scorer: lexicon-sentiment' (or 'length')");
                break;
            case JudgeType.Llm when BaseUrl is null || Model is null:
                yield return new OptionProblem(BaseUrl is null ? "base_url" : "model", "an llm judge needs 'base_url' and 'model'");
                break;
            case JudgeType.Llm:
                foreach (var problem in ToLlmOptions(null).Validate())
                {
                    yield return new OptionProblem("type", problem);
                }

                break;
            case JudgeType.ImplicitReward when Policy is null:
                yield return new OptionProblem("policy", "an implicit_reward judge needs 'policy' (a stage that trains a model, or a model path)");
                break;
            case JudgeType.RewardModel when RewardModel is null:
                yield return new OptionProblem("reward_model", "a reward_model judge needs 'reward_model' (a reward-model stage, or the model folder it published)");
                break;
        }
    }

    /// <summary>The LLM judge's settings; <paramref name="cachePath"/> is the verdict cache to use.</summary>
    internal LlmJudgeOptions ToLlmOptions(string? cachePath) => new()
    {
        BaseUrl = BaseUrl ?? "",
        Model = Model ?? "",
        ApiKeyEnvironmentVariable = ApiKeyEnv,
        PromptTemplate = Template ?? LlmPromptTemplate.Default,
        MaxConcurrency = MaxConcurrency,
        MaxTokens = MaxTokens,
        CachePath = cachePath,
    };

    private static string Name(JudgeType type) => OptionProperty.SnakeCase(type.ToString());
}
