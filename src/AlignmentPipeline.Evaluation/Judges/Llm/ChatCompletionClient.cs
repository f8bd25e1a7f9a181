using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace AlignmentPipeline.Evaluation.Judges.Llm;

/// <summary>
/// Posts one user message to <c>{base_url}/chat/completions</c> through a Polly pipeline: retries with exponential
/// backoff and jitter on 408, 429, 5xx, connection errors and timeouts (ours per attempt, or HttpClient's own); a
/// Retry-After header replaces the computed delay, capped at <see cref="LlmJudgeOptions.RetryMaxDelay"/>. Each attempt
/// is bounded by <see cref="LlmJudgeOptions.AttemptTimeout"/>; at most <see cref="LlmJudgeOptions.MaxConcurrency"/>
/// calls run at once.
/// </summary>
internal sealed class ChatCompletionClient
{
    private const int BodyExcerptLength = 300;

    private readonly HttpClient http;
    private readonly LlmJudgeOptions options;
    private readonly string? apiKey;
    private readonly TimeProvider timeProvider;
    private readonly LlmJudgeCounters counters;
    private readonly Uri endpoint;
    private readonly ResiliencePipeline<HttpResponseMessage> pipeline;
    private readonly SemaphoreSlim concurrency;

    public ChatCompletionClient(HttpClient http, LlmJudgeOptions options, string? apiKey, TimeProvider timeProvider, LlmJudgeCounters counters)
    {
        this.http = http;
        this.options = options;
        this.apiKey = apiKey;
        this.timeProvider = timeProvider;
        this.counters = counters;
        endpoint = new Uri(options.BaseUrl.TrimEnd('/') + "/chat/completions");
        concurrency = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);
        pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = arguments => ValueTask.FromResult(arguments.Outcome switch
                {
                    { Exception: HttpRequestException or TimeoutRejectedException } => true,
                    // HttpClient.Timeout fired (the caller did not cancel): as transient as our own attempt timeout.
                    { Exception: OperationCanceledException } => !arguments.Context.CancellationToken.IsCancellationRequested,
                    { Result: { } response } => IsTransient(response.StatusCode),
                    _ => false,
                }),
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                DelayGenerator = arguments => ValueTask.FromResult(RetryAfter(arguments.Outcome.Result)),
                OnRetry = arguments =>
                {
                    counters.CountRetry(arguments.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();
    }

    public async Task<ChatCompletionResult> CompleteAsync(string userMessage, CancellationToken cancellationToken = default)
    {
        await concurrency.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            HttpResponseMessage response;
            try
            {
                response = await pipeline.ExecuteAsync(
                    async token =>
                    {
                        counters.CountRequest();
                        using var request = CreateRequest(userMessage);
                        return await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, token).ConfigureAwait(false);
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutRejectedException)
            {
                return new ChatCompletionResult(null, "timeout", IsJudgeAnswer: false);
            }
            catch (HttpRequestException)
            {
                return new ChatCompletionResult(null, "connection_error", IsJudgeAnswer: false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // HttpClient.Timeout fired on the last attempt.
                return new ChatCompletionResult(null, "timeout", IsJudgeAnswer: false);
            }

            using (response)
            {
                if (IsTransient(response.StatusCode))
                    return new ChatCompletionResult(null, $"http_{(int)response.StatusCode}", IsJudgeAnswer: false);
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                    throw new LlmJudgeException(Redact(
                        $"the judge endpoint {endpoint} answered {(int)response.StatusCode} {response.ReasonPhrase}: " +
                        $"{Excerpt(body)}. Check base_url, model and the key in the environment variable " +
                        $"{options.ApiKeyEnvironmentVariable ?? "(none configured)"}."));
                return ReadReply(body);
            }
        }
        finally
        {
            concurrency.Release();
        }
    }

    /// <summary>Reads <c>choices[0].message</c>: a refusal, a content string, or else a malformed body.</summary>
    private static ChatCompletionResult ReadReply(string body)
    {
        JsonNode? message, choice;
        try
        {
            choice = JsonNode.Parse(body)?["choices"]?[0];
            message = choice?["message"];
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            return new ChatCompletionResult(null, "malformed_body", IsJudgeAnswer: false);
        }

        if (message?["refusal"] is JsonValue refusal && refusal.TryGetValue<string>(out var refusalText) && refusalText.Length > 0)
            return new ChatCompletionResult(refusalText, "refusal", IsJudgeAnswer: true);
        var content = message?["content"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
        if (choice?["finish_reason"] is JsonValue finish && finish.TryGetValue<string>(out var reason) && reason == "content_filter")
            return new ChatCompletionResult(content ?? "", "refusal", IsJudgeAnswer: true);
        return content is null
            ? new ChatCompletionResult(null, "malformed_body", IsJudgeAnswer: false)
            : new ChatCompletionResult(content, null, IsJudgeAnswer: true);
    }

    private HttpRequestMessage CreateRequest(string userMessage)
    {
        var payload = new JsonObject
        {
            ["model"] = options.Model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = userMessage }),
            ["temperature"] = options.Temperature,
            ["max_tokens"] = options.MaxTokens,
        };
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (apiKey is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return request;
    }

    /// <summary>The server's Retry-After as a delay (seconds or a date), capped; null lets the backoff decide.</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        var header = response?.Headers.RetryAfter;
        var delay = header?.Delta ?? (header?.Date is { } date ? date - timeProvider.GetUtcNow() : null);
        if (delay is not { } value)
            return null;
        return value < TimeSpan.Zero ? TimeSpan.Zero : value > options.RetryMaxDelay ? options.RetryMaxDelay : value;
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private static string Excerpt(string body) =>
        body.Length <= BodyExcerptLength ? body : body[..BodyExcerptLength] + "…";

    private string Redact(string text) =>
        string.IsNullOrEmpty(apiKey) ? text : text.Replace(apiKey, "***", StringComparison.Ordinal);
}
