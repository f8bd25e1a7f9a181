using AlignmentPipeline.Evaluation.Statistics;

namespace AlignmentPipeline.Evaluation.Agreement;

/// <summary>A prompt, two responses and the human verdict about the first one.</summary>
/// <param name="ItemId">The file's <c>idx</c> or <c>id</c>, else the 0-based position of the row.</param>
/// <param name="Prompt">The instruction, followed by a blank line and its input when the input is not empty.</param>
/// <param name="Response1">The first response; null when the file holds something other than a string there.</param>
/// <param name="Response2">The second response; null when the file holds something other than a string there.</param>
/// <param name="Human">
/// <see cref="Verdict.Win"/> = response1 better, <see cref="Verdict.Loss"/> = response2 better, <see cref="Verdict.Tie"/>;
/// null when the annotators reach no majority.
/// </param>
public sealed record HumanLabelledPair(string ItemId, string Prompt, string? Response1, string? Response2, Verdict? Human);
