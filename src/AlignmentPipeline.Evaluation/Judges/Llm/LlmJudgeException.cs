namespace AlignmentPipeline.Evaluation.Judges.Llm;

/// <summary>
/// The judge endpoint refused the configuration itself (e.g. 401, 404, 400), so judging more items is pointless.
/// The message never contains the API key.
/// </summary>
public sealed class LlmJudgeException(string message) : Exception(message);
