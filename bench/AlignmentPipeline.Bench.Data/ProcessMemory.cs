namespace AlignmentPipeline.Bench.Data;

/// <summary>Peak resident memory and machine load, from /proc.</summary>
internal static class ProcessMemory
{
    /// <summary>VmHWM of this process in MB (the kernel's high-water mark of resident memory).</summary>
    public static double PeakRssMegabytes()
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0]) / 1024.0;
    }

    /// <summary>The 1-minute load average.</summary>
    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
}
