namespace AlignmentPipeline.Evaluation.Tests.Judges;

/// <summary>A request as <see cref="OpenAiCompatibleServerDouble"/> saw it.</summary>
/// <param name="Path">Request path, e.g. /v1/chat/completions.</param>
/// <param name="Authorization">The Authorization header as received, or null.</param>
/// <param name="Model">The <c>model</c> field of the body.</param>
/// <param name="UserContent">Content of the last message of the body.</param>
/// <param name="TimesSeenBefore">How many earlier requests carried exactly this user content (0 on the first).</param>
internal sealed record ReceivedChatRequest(string Path, string? Authorization, string Model, string UserContent, int TimesSeenBefore);
