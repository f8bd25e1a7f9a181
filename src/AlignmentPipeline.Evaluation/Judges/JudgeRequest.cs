namespace AlignmentPipeline.Evaluation.Judges;

/// <summary>One item to judge: a prompt and two responses to it.</summary>
/// <param name="ItemId">Stable identifier of the item (carried into judgments and reports).</param>
/// <param name="Prompt">The instruction or conversation both responses answer.</param>
/// <param name="Candidate">Response of the model under evaluation.</param>
/// <param name="Baseline">Response of the model it is compared with.</param>
public sealed record JudgeRequest(string ItemId, string Prompt, string Candidate, string Baseline);
