namespace AlignmentPipeline.Evaluation.Judges.Llm;

/// <summary>Settings of an <see cref="LlmJudge"/> talking to an OpenAI-compatible chat-completions endpoint.</summary>
public sealed record LlmJudgeOptions
{
    /// <summary>
    /// Base URL including the API version segment, as the OpenAI SDKs take it, e.g. <c>https://api.openai.com/v1</c>
    /// or <c>http://127.0.0.1:8000/v1</c>; the judge posts to <c>{base_url}/chat/completions</c>. Required.
    /// </summary>
    public required string BaseUrl { get; init; }

    /// <summary>Judge model name sent as <c>model</c>. Required.</summary>
    public required string Model { get; init; }

    /// <summary>
    /// NAME of the environment variable holding the API key (e.g. <c>OPENAI_API_KEY</c>), sent as a Bearer token;
    /// null sends no Authorization header (local servers). The key itself is never configured, logged or stored.
    /// </summary>
    public string? ApiKeyEnvironmentVariable { get; init; }

    /// <summary>
    /// Prompt sent as the single user message, with the placeholders <c>{{prompt}}</c>, <c>{{response_a}}</c> and
    /// <c>{{response_b}}</c>; the reply's last non-empty line must be <c>[[A]]</c>, <c>[[B]]</c> or <c>[[tie]]</c>.
    /// Default <see cref="LlmPromptTemplate.Default"/>.
    /// </summary>
    public string PromptTemplate { get; init; } = LlmPromptTemplate.Default;

    /// <summary>Requests in flight at once (each order of an item is one request). Default 4.</summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>Retries after the first attempt on 408, 429, 5xx, connection errors and attempt timeouts. Default 6.</summary>
    public int MaxRetryAttempts { get; init; } = 6;

    /// <summary>
    /// Time one attempt (request and reading the body) may take before it is abandoned and retried. Default 60 s,
    /// below HttpClient's default Timeout of 100 s; a timeout of the HttpClient itself is retried the same way.
    /// </summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Base of the exponential backoff with jitter between retries. Default 2 s.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Upper bound on one backoff delay, including a server's Retry-After. Default 120 s.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Sampling temperature sent with each request. Default 0 (as deterministic as the server allows).</summary>
    public double Temperature { get; init; }

    /// <summary>Upper bound on generated tokens per reply, sent as <c>max_tokens</c>. Default 1024.</summary>
    public int MaxTokens { get; init; } = 1024;

    /// <summary>JSONL file of cached per-order verdicts; a rerun answers from it without requests. Null disables the cache.</summary>
    public string? CachePath { get; init; }

    /// <summary>Every problem with these options, one sentence each; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            problems.Add($"base_url '{BaseUrl}' is not an absolute http(s) URL; write e.g. 'https://api.openai.com/v1'");
        if (string.IsNullOrWhiteSpace(Model))
            problems.Add("model is empty; name the judge model, e.g. 'gpt-4o-mini'");
        if (ApiKeyEnvironmentVariable is { } name && (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '_'))))
            problems.Add($"api_key_env '{name}' is not an environment variable name; give the NAME of the variable (letters, digits, '_'), never the key");
        problems.AddRange(LlmPromptTemplate.Problems(PromptTemplate));
        if (MaxConcurrency < 1)
            problems.Add($"max_concurrency is {MaxConcurrency}; it must be at least 1");
        if (MaxRetryAttempts < 0)
            problems.Add($"max_retry_attempts is {MaxRetryAttempts}; it must be 0 or more");
        if (AttemptTimeout <= TimeSpan.Zero)
            problems.Add($"attempt_timeout is {AttemptTimeout}; it must be positive");
        if (RetryBaseDelay < TimeSpan.Zero || RetryMaxDelay < RetryBaseDelay)
            problems.Add($"retry delays must satisfy 0 <= retry_base_delay ({RetryBaseDelay}) <= retry_max_delay ({RetryMaxDelay})");
        if (MaxTokens < 1)
            problems.Add($"max_tokens is {MaxTokens}; it must be at least 1");
        return problems;
    }
}
