using AlignmentPipeline.Modeling.Runtime;
using static TorchSharp.torch;

namespace AlignmentPipeline.Modeling.Tests.Runtime;

/// <summary>Alone: these tests change libtorch's and MKL's thread counts for the whole process, then restore one thread.</summary>
[Collection(nameof(ProcessWideThreads))]
public sealed class NativeThreadsTests
{
    [Fact]
    public void Mkl_and_openmp_dynamic_adjustment_is_off_and_the_variables_reach_native_getenv()
    {
        // The setenv calls ran when this assembly's module was initialised; getenv reads the process's native environment.
        Assert.Equal("FALSE", NativeThreads.NativeEnvironment["MKL_DYNAMIC"]);
        Assert.Equal("FALSE", NativeThreads.NativeEnvironment["OMP_DYNAMIC"]);
        new ModelRuntimeOptions("cpu").ApplyThreads();

        Assert.False(NativeThreads.MklDynamic, "mkl_get_dynamic must read 0 after ApplyThreads");
        Assert.False(NativeThreads.OpenMpDynamic, "omp_get_dynamic must read 0");
    }

    [Fact]
    public void Configured_threads_reach_mkl_on_an_os_thread_that_never_set_them()
    {
        try
        {
            foreach (var threads in new[] { 1, 2 })
            {
                new ModelRuntimeOptions("cpu", "float32", threads).ApplyThreads();
                var seen = 0;
                var fresh = new Thread(() => seen = NativeThreads.MklMaxThreads); // as a thread-pool thread after an await
                fresh.Start();
                fresh.Join();

                Assert.Equal(threads, NativeThreads.MklMaxThreads);
                Assert.Equal(threads, seen);
                Assert.Equal(threads, get_num_threads());
            }
        }
        finally
        {
            NativeThreads.Configure(1); // the assembly's SingleThreadedTorch setting
        }
    }
}
