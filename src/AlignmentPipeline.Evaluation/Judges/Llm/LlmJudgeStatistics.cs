namespace AlignmentPipeline.Evaluation.Judges.Llm;

/// <summary>Counters of an <see cref="LlmJudge"/> since it was created.</summary>
/// <param name="Requests">HTTP attempts sent, retries included.</param>
/// <param name="Retries">Attempts repeated after a 408/429/5xx answer, a connection error or an attempt timeout.</param>
/// <param name="RetryDelaySeconds">Total backoff waited before retries (Retry-After honoured), in seconds.</param>
/// <param name="CacheHits">Per-order verdicts answered from the cache without a request.</param>
/// <param name="Items">Items judged (each is two orders).</param>
/// <param name="InvalidItems">Items whose verdict is invalid.</param>
/// <param name="InvalidReasons">Invalid items by reason: malformed_body, refusal, unparsable_verdict, timeout, connection_error, http_NNN.</param>
/// <param name="OrderDisagreements">Valid items whose two orders disagreed, scored as ties.</param>
public sealed record LlmJudgeStatistics(
    long Requests,
    long Retries,
    double RetryDelaySeconds,
    long CacheHits,
    long Items,
    long InvalidItems,
    IReadOnlyDictionary<string, long> InvalidReasons,
    long OrderDisagreements);
