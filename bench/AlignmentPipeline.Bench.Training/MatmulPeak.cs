using System.Diagnostics;
using TorchSharp;

/// <summary>Measured fp32 matmul throughput of this machine with the given libtorch threads: the MFU denominator.</summary>
internal static class MatmulPeak
{
    /// <summary>Best GFLOP/s (2n³ per product) over a few repetitions of an n × n product, after a warm-up.</summary>
    public static double GflopsPerSecond(int n, int repetitions = 5)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(0);
        var a = torch.randn(n, n); // (n, n)
        var b = torch.randn(n, n); // (n, n)
        torch.matmul(a, b).Dispose();
        var best = double.MaxValue;
        for (var i = 0; i < repetitions; i++)
        {
            var watch = Stopwatch.StartNew();
            torch.matmul(a, b).Dispose(); // (n, n)
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }

        return 2.0 * n * n * n / best / 1e9;
    }
}
