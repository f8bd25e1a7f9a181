namespace AlignmentPipeline.Core.Runs;

/// <summary>Plain, timestamped log lines for people (stderr by default). Never given secrets.</summary>
public sealed class RunLog(TextWriter writer, TimeProvider time, bool verbose = false)
{
    private readonly Lock gate = new();

    public static RunLog Silent { get; } = new(TextWriter.Null, TimeProvider.System);

    public bool Verbose { get; } = verbose;

    public void Info(string message) => Write("", message);

    public void Warn(string message) => Write("warning: ", message);

    public void Debug(string message)
    {
        if (Verbose)
        {
            Write("", message);
        }
    }

    internal TextWriter Writer => writer;

    private void Write(string prefix, string message)
    {
        lock (gate)
        {
            writer.WriteLine($"[{time.GetLocalNow():HH:mm:ss}] {prefix}{message}");
            writer.Flush();
        }
    }
}
