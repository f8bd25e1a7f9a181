using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Modeling.Tests.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Modeling.Tests;

[Collection(nameof(ProcessWideThreads))]
public sealed class RuntimeOptionsTests
{
    [Fact]
    public void All_problems_are_reported_together()
    {
        var problems = new ModelRuntimeOptions("tpu", "float16", 0).Validate();

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains("device 'tpu'"));
        Assert.Contains(problems, p => p.Contains("dtype 'float16'"));
        Assert.Contains(problems, p => p.Contains("threads must be at least 1"));
    }

    [Fact]
    public void Auto_resolves_to_cuda_only_when_cuda_is_available()
    {
        var options = new ModelRuntimeOptions();

        Assert.Empty(options.Validate());
        Assert.Equal(cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU, options.ResolveDevice().type);
        Assert.Equal(ScalarType.Float32, options.ResolveDType());
        Assert.Equal(ScalarType.BFloat16, (options with { DType = "bfloat16" }).ResolveDType());
    }

    [Fact]
    public void Threads_sets_libtorchs_intra_op_thread_count_and_null_keeps_it()
    {
        try
        {
            new ModelRuntimeOptions("cpu", "float32", 2).ApplyThreads();
            Assert.Equal(2, get_num_threads());
            new ModelRuntimeOptions("cpu").ApplyThreads();
            Assert.Equal(2, get_num_threads());
        }
        finally
        {
            NativeThreads.Configure(1); // the assembly's SingleThreadedTorch setting
        }
    }
}
