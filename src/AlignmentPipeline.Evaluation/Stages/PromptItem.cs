namespace AlignmentPipeline.Evaluation.Stages;

/// <summary>One prompt to answer.</summary>
/// <param name="Id">Stable id: the pair's id, the JSONL 'id', or a content hash of the prompt.</param>
/// <param name="Prompt">The prompt as stored: text, or a JSON message list when <paramref name="Format"/> is <c>messages</c>.</param>
/// <param name="Format"><c>text</c> or <c>messages</c> (as <see cref="Data.Records.PreferencePair.Format"/>).</param>
/// <param name="Chosen">The dataset's chosen response when the prompt comes from a pair, else null.</param>
internal sealed record PromptItem(string Id, string Prompt, string Format, string? Chosen);
