using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AlignmentPipeline.Evaluation.Statistics;

namespace AlignmentPipeline.Evaluation.Judges.Llm;

/// <summary>
/// Pairwise judge backed by any OpenAI-compatible <c>/v1/chat/completions</c> endpoint. Each item is judged in both
/// orders (candidate as A, then candidate as B); a win or loss needs both orders to agree, a disagreement is a tie,
/// and any unusable answer (malformed body, refusal, no verdict line, failed request) makes the item invalid, never a
/// win. Answers are cached per order in a JSONL file so that a rerun sends no request.
/// </summary>
public sealed class LlmJudge : IJudge
{
    private readonly LlmJudgeOptions options;
    private readonly ChatCompletionClient client;
    private readonly JudgmentCache? cache;
    private readonly LlmJudgeCounters counters = new();

    /// <summary>Creates the judge; reads the API key from the environment variable named in the options.</summary>
    /// <param name="options">Endpoint, model, template, retry and cache settings.</param>
    /// <param name="httpClient">Client used for every request; when its own Timeout fires first, that attempt is retried like an attempt timeout.</param>
    /// <param name="timeProvider">Clock for backoff delays and attempt timeouts. Default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException">The options are invalid (all problems listed) or the key variable is unset.</exception>
    public LlmJudge(LlmJudgeOptions options, HttpClient httpClient, TimeProvider? timeProvider = null)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
            throw new ArgumentException("invalid LLM judge options:\n  - " + string.Join("\n  - ", problems), nameof(options));
        string? apiKey = null;
        if (options.ApiKeyEnvironmentVariable is { } variable)
        {
            apiKey = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(apiKey))
                throw new ArgumentException(
                    $"the environment variable {variable} named by api_key_env is not set or empty; export it before the run, " +
                    "or leave api_key_env out for a server without authentication", nameof(options));
        }
        this.options = options;
        client = new ChatCompletionClient(httpClient, options, apiKey, timeProvider ?? TimeProvider.System, counters);
        cache = options.CachePath is { } path ? JudgmentCache.Open(path) : null;
    }

    /// <inheritdoc />
    public string Name => $"llm:{options.Model}";

    /// <summary>Counters since creation: requests, retries, cache hits, invalid items by reason, order disagreements.</summary>
    public LlmJudgeStatistics Stats => counters.Snapshot();

    /// <inheritdoc />
    public async Task<JudgeOutcome> JudgeAsync(JudgeRequest request, CancellationToken cancellationToken = default)
    {
        var orders = await Task.WhenAll(
            JudgeOrderAsync(request, candidateFirst: true, cancellationToken),
            JudgeOrderAsync(request, candidateFirst: false, cancellationToken)).ConfigureAwait(false);
        var (candidateFirst, candidateSecond) = (orders[0], orders[1]);

        // From the candidate's side: shown as A, "A" is a win; shown as B, "B" is a win.
        var first = ForCandidate(candidateFirst.Verdict, candidateIs: OrderVerdict.A);
        var second = ForCandidate(candidateSecond.Verdict, candidateIs: OrderVerdict.B);
        var invalidReason = candidateFirst.InvalidReason ?? candidateSecond.InvalidReason;
        var verdict = invalidReason is not null ? Verdict.Invalid : first == second ? first : Verdict.Tie;
        var disagreed = invalidReason is null && first != second;
        counters.CountItem(invalidReason, disagreed);

        var fields = new Dictionary<string, string>
        {
            ["order_candidate_first"] = OrderField(candidateFirst),
            ["order_candidate_second"] = OrderField(candidateSecond),
        };
        if (invalidReason is not null)
            fields["invalid_reason"] = invalidReason;
        return new JudgeOutcome(verdict, fields);
    }

    /// <inheritdoc />
    public JsonObject Describe()
    {
        var stats = Stats;
        var reasons = new JsonObject();
        foreach (var (reason, count) in stats.InvalidReasons)
            reasons[reason] = count;
        return new JsonObject
        {
            ["type"] = "llm",
            ["model"] = options.Model,
            ["base_url"] = options.BaseUrl,
            ["api_key_env"] = options.ApiKeyEnvironmentVariable,
            ["template_sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(options.PromptTemplate))),
            ["both_orders"] = true,
            ["requests"] = stats.Requests,
            ["retries"] = stats.Retries,
            ["retry_delay_seconds"] = stats.RetryDelaySeconds,
            ["cache_hits"] = stats.CacheHits,
            ["items"] = stats.Items,
            ["invalid_items"] = stats.InvalidItems,
            ["invalid_reasons"] = reasons,
            ["order_disagreements"] = stats.OrderDisagreements,
        };
    }

    private async Task<CachedOrderVerdict> JudgeOrderAsync(JudgeRequest request, bool candidateFirst, CancellationToken cancellationToken)
    {
        var key = JudgmentCache.Key(
            options.Model, options.BaseUrl, options.PromptTemplate, request.Prompt, request.Candidate, request.Baseline,
            candidateFirst ? "candidate_first" : "candidate_second");
        if (cache is not null && cache.TryGet(key, out var cached))
        {
            counters.CountCacheHit();
            return cached;
        }

        var (a, b) = candidateFirst ? (request.Candidate, request.Baseline) : (request.Baseline, request.Candidate);
        var result = await client.CompleteAsync(LlmPromptTemplate.Render(options.PromptTemplate, request.Prompt, a, b), cancellationToken)
            .ConfigureAwait(false);
        var verdict = result.InvalidReason is null && result.Content is { } content ? VerdictParser.Parse(content) : null;
        var answer = new CachedOrderVerdict(
            verdict,
            result.InvalidReason ?? (verdict is null ? "unparsable_verdict" : null),
            result.Content ?? "");
        if (cache is not null && result.IsJudgeAnswer)
            await cache.AddAsync(key, answer, cancellationToken).ConfigureAwait(false);
        return answer;
    }

    private static Verdict ForCandidate(OrderVerdict? verdict, OrderVerdict candidateIs) => verdict switch
    {
        null => Verdict.Invalid,
        OrderVerdict.Tie => Verdict.Tie,
        _ => verdict == candidateIs ? Verdict.Win : Verdict.Loss,
    };

    private static string OrderField(CachedOrderVerdict answer) => answer.InvalidReason is { } reason
        ? $"invalid:{reason}"
        : answer.Verdict switch { OrderVerdict.A => "A", OrderVerdict.B => "B", _ => "tie" };
}
