namespace AlignmentPipeline.Evaluation.Tests.Judges;

/// <summary>What <see cref="OpenAiCompatibleServerDouble"/> does with one request.</summary>
internal abstract record ServerAction
{
    /// <summary>200 with a well-formed chat completion whose message content is <paramref name="Content"/>.</summary>
    public sealed record Reply(string Content) : ServerAction;

    /// <summary>A bare status code, optionally with Retry-After (seconds) and a body.</summary>
    public sealed record Status(int Code, int? RetryAfterSeconds = null, string Body = "") : ServerAction;

    /// <summary>200 with a body that is not a chat completion.</summary>
    public sealed record Malformed(string Body) : ServerAction;

    /// <summary>200 with a chat completion whose message carries an OpenAI-style refusal.</summary>
    public sealed record Refusal(string Text) : ServerAction;

    /// <summary>Waits <paramref name="RealDelay"/> of wall-clock time, then does <paramref name="Then"/>.</summary>
    public sealed record Delayed(TimeSpan RealDelay, ServerAction Then) : ServerAction;
}
