namespace AlignmentPipeline.Evaluation.Stages;

/// <summary>The judges <c>kind: evaluate</c> offers.</summary>
public enum JudgeType
{
    /// <summary>A deterministic scorer from <see cref="Judges.Rules.RuleScorerRegistry"/>; the higher score wins.</summary>
    Rule,

    /// <summary>An LLM behind an OpenAI-compatible chat-completions endpoint, asked in both orders.</summary>
    Llm,

    /// <summary>DPO implicit-reward accuracy of a policy on the pairs of a reference cache.</summary>
    ImplicitReward,

    /// <summary>A trained Bradley–Terry reward model (a <c>reward-model</c> stage); the higher reward wins.</summary>
    RewardModel,
}
