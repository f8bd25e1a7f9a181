using System.Text.Json.Nodes;

namespace AlignmentPipeline.Evaluation.Judges;

/// <summary>Decides, for a prompt and two responses, whether the candidate beats the baseline.</summary>
/// <remarks>Implementations must be safe to call concurrently; they bound their own concurrency where it matters.</remarks>
public interface IJudge
{
    /// <summary>Short name for reports, e.g. <c>rule:lexicon-sentiment</c> or <c>llm:gpt-4o-mini</c>.</summary>
    string Name { get; }

    /// <summary>Judges one item. Failures that concern only this item come back as an invalid verdict, not as an exception.</summary>
    Task<JudgeOutcome> JudgeAsync(JudgeRequest request, CancellationToken cancellationToken = default);

    /// <summary>Judge settings and run counters for the report's <c>judge_fields</c> object; never holds secrets.</summary>
    JsonObject Describe();
}
