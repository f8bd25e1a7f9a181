using System.Collections.Concurrent;

namespace AlignmentPipeline.Evaluation.Judges.Llm;

/// <summary>Thread-safe counters behind <see cref="LlmJudgeStatistics"/>.</summary>
internal sealed class LlmJudgeCounters
{
    private readonly ConcurrentDictionary<string, long> invalidReasons = new(StringComparer.Ordinal);
    private long requests;
    private long retries;
    private long retryDelayTicks;
    private long cacheHits;
    private long items;
    private long invalidItems;
    private long orderDisagreements;

    public void CountRequest() => Interlocked.Increment(ref requests);

    public void CountRetry(TimeSpan delay)
    {
        Interlocked.Increment(ref retries);
        Interlocked.Add(ref retryDelayTicks, delay.Ticks);
    }

    public void CountCacheHit() => Interlocked.Increment(ref cacheHits);

    public void CountItem(string? invalidReason, bool ordersDisagreed)
    {
        Interlocked.Increment(ref items);
        if (invalidReason is not null)
        {
            Interlocked.Increment(ref invalidItems);
            invalidReasons.AddOrUpdate(invalidReason, 1, (_, count) => count + 1);
        }
        if (ordersDisagreed)
            Interlocked.Increment(ref orderDisagreements);
    }

    public LlmJudgeStatistics Snapshot() => new(
        Interlocked.Read(ref requests),
        Interlocked.Read(ref retries),
        TimeSpan.FromTicks(Interlocked.Read(ref retryDelayTicks)).TotalSeconds,
        Interlocked.Read(ref cacheHits),
        Interlocked.Read(ref items),
        Interlocked.Read(ref invalidItems),
        new SortedDictionary<string, long>(invalidReasons, StringComparer.Ordinal),
        Interlocked.Read(ref orderDisagreements));
}
