using Microsoft.Extensions.Time.Testing;

namespace AlignmentPipeline.Evaluation.Tests.Judges;

/// <summary>
/// Lets fake time flow about 50× faster than wall-clock time while real HTTP work runs: backoff delays and attempt
/// timeouts (which follow the fake clock) pass in milliseconds, while the server's real delays still take real time.
/// </summary>
internal static class FakeTimePump
{
    public static async Task<T> RunAsync<T>(FakeTimeProvider time, Task<T> work)
    {
        while (!work.IsCompleted)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(2);
        }
        return await work;
    }
}
