using static TorchSharp.torch;

namespace AlignmentPipeline.Bench.Models;

/// <summary>fp32 <c>torch.matmul</c> throughput at the shapes the benchmarked models multiply.</summary>
internal static class MatmulProbe
{
    /// <summary>(M, K, N) products a model of width C, SwiGLU width I and vocabulary V runs on M = B·T rows.</summary>
    public static IEnumerable<(int M, int K, int N)> ModelShapes(int rows, int C, int I, int V) =>
        [(rows, C, C), (rows, C, I), (rows, I, C), (rows, C, V)];

    /// <summary>Best GFLOP/s of (M×K)·(K×N) over <paramref name="repeats"/> timed products after a warm-up.</summary>
    public static double BestGflops(int M, int K, int N, int repeats, BenchClock clock)
    {
        using var scope = NewDisposeScope();
        using var noGrad = inference_mode();
        var a = randn(M, K); // (M, K)
        var b = randn(K, N); // (K, N)
        var flops = 2.0 * M * K * N;
        var inner = Math.Max(1, (int)(2e9 / flops)); // ≥ ~2 GFLOP per timing so the clock resolution does not matter
        matmul(a, b).Dispose();
        var best = 0.0;
        for (var r = 0; r < repeats; r++)
        {
            var start = clock.Now();
            for (var i = 0; i < inner; i++)
            {
                matmul(a, b).Dispose();
            }

            best = Math.Max(best, flops * inner / clock.SecondsSince(start) / 1e9);
        }

        return best;
    }
}
