using System.Runtime.CompilerServices;
using AlignmentPipeline.Modeling.Runtime;

// Training tests seed and draw from libtorch's process-wide random generator (parameter init, dropout, data order),
// so two test classes running at once would interleave their draws and break bitwise comparisons. They run one at a
// time.
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]

namespace AlignmentPipeline.Training.Tests;

internal static class TestThreads
{
    /// <summary>
    /// One libtorch thread for the whole assembly: with two, a resumed run differed from an uninterrupted one by an ulp
    /// when other test processes loaded the machine (CI runs the test projects side by side), so the bitwise resume
    /// tests compare runs made with the same, fixed thread count. Set through <see cref="ModelRuntimeOptions"/> so MKL's
    /// process-wide count follows and every OS thread a model runs on uses it (libtorch's count is per thread).
    /// </summary>
    [ModuleInitializer]
    internal static void UseOneThread() => new ModelRuntimeOptions("cpu", Threads: 1).ApplyThreads();
}
