using System.Diagnostics;

namespace AlignmentPipeline.Bench.Models;

/// <summary>
/// Measures seconds of wall time, or of this process's CPU time. On a shared machine the CPU time of a run with one
/// torch thread is the time the work would take alone; wall time then mostly measures the other tenants.
/// </summary>
internal sealed class BenchClock(bool cpuTime)
{
    /// <summary>"wall" or "cpu".</summary>
    public string Name => cpuTime ? "cpu" : "wall";

    /// <summary>A reading to pass to <see cref="SecondsSince"/>.</summary>
    public double Now() => cpuTime ? Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds : Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;

    /// <summary>Seconds elapsed on this clock since <paramref name="start"/>.</summary>
    public double SecondsSince(double start) => Now() - start;
}
