namespace AlignmentPipeline.Modeling.Templates;

/// <summary>One turn of a conversation.</summary>
/// <param name="Role">"system", "user" or "assistant" (templates may accept others).</param>
/// <param name="Content">The text of the turn.</param>
public sealed record ChatMessage(string Role, string Content);
