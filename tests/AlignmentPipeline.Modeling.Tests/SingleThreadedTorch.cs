using AlignmentPipeline.Modeling.Runtime;

[assembly: AssemblyFixture(typeof(AlignmentPipeline.Modeling.Tests.SingleThreadedTorch))]

namespace AlignmentPipeline.Modeling.Tests;

/// <summary>
/// Runs libtorch single-threaded for this test assembly, MKL included on every OS thread (a bare
/// <c>torch.set_num_threads(1)</c> leaves MKL at 2 on threads that never called it). The models here are tiny, and on a
/// busy 2-core machine libtorch's spinning worker threads made them 20–50× slower (measured under load average ≈ 42:
/// 64 greedy stories260K steps took 486 ms with 1 thread, 10.8–13.0 s with 2).
/// </summary>
public sealed class SingleThreadedTorch
{
    public SingleThreadedTorch() => NativeThreads.Configure(1);
}
