namespace AlignmentPipeline.Core.Runs;

/// <summary>
/// Shows how far long work has come: a self-updating line with count, rate and ETA on a terminal, a plain log line
/// every <see cref="PlainInterval"/> otherwise.
/// </summary>
public sealed class ProgressReporter(RunLog log, bool interactive, TimeProvider time)
{
    private readonly RunLog log = log;
    private readonly bool interactive = interactive;
    private readonly TimeProvider time = time;

    public static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(10);

    public ProgressTracker Start(string what, string unit, long? total = null) => new(this, what, unit, total);

    /// <summary>Tracks one piece of work. Thread-safe; dispose to print the final line.</summary>
    public sealed class ProgressTracker : IDisposable
    {
        private readonly ProgressReporter owner;
        private readonly string what;
        private readonly string unit;
        private readonly long? total;
        private readonly long started;
        private long done;
        private long lastPrinted;

        internal ProgressTracker(ProgressReporter owner, string what, string unit, long? total)
        {
            this.owner = owner;
            this.what = what;
            this.unit = unit;
            this.total = total;
            started = owner.time.GetTimestamp();
            lastPrinted = started;
        }

        public long Done => Interlocked.Read(ref done);

        public void Advance(long count = 1)
        {
            long now = owner.time.GetTimestamp();
            Interlocked.Add(ref done, count);
            var sinceLast = owner.time.GetElapsedTime(Interlocked.Read(ref lastPrinted), now);
            var every = owner.interactive ? TimeSpan.FromMilliseconds(250) : PlainInterval;
            if (sinceLast >= every)
            {
                Interlocked.Exchange(ref lastPrinted, now);
                Print(final: false);
            }
        }

        public void Dispose()
        {
            if (owner.interactive || owner.time.GetElapsedTime(started) >= PlainInterval)
            {
                Print(final: true);
            }
        }

        private void Print(bool final)
        {
            var elapsed = owner.time.GetElapsedTime(started);
            long count = Done;
            double rate = elapsed.TotalSeconds > 0 ? count / elapsed.TotalSeconds : 0;
            string eta = !final && total is > 0 && rate > 0 && count < total
                ? $", ETA {TimeSpan.FromSeconds((total.Value - count) / rate):hh\\:mm\\:ss}"
                : "";
            string of = total is null ? "" : $"/{total:N0}";
            string line = $"{what}: {count:N0}{of} {unit} ({rate:N0} {unit}/s{eta}){(final ? $" in {elapsed.TotalSeconds:0.0} s" : "")}";
            if (owner.interactive)
            {
                lock (owner.log.Writer)
                {
                    owner.log.Writer.Write($"\r\u001b[2K{line}{(final ? Environment.NewLine : "")}");
                    owner.log.Writer.Flush();
                }
            }
            else
            {
                owner.log.Info(line);
            }
        }
    }
}
