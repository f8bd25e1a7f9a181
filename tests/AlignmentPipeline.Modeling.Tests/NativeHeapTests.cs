using AlignmentPipeline.Modeling.Models;

namespace AlignmentPipeline.Modeling.Tests;

public sealed class NativeHeapTests
{
    [Fact]
    public void Glibc_keeps_freed_tensor_memory_once_a_model_exists()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("mallopt tuning applies to Linux with glibc only");
        }

        using var model = new LlamaModel(TestModels.Llama());

        Assert.True(NativeHeap.KeepFreedMemory(), "mallopt(M_MMAP_MAX, 0) or mallopt(M_TRIM_THRESHOLD) was refused");
    }
}
