using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Modeling.Tests;

public sealed class TorchSharpNativeTests
{
    [Fact]
    public void Native_library_loads_and_multiplies_matrices()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        var b = tensor(new float[] { 5, 6, 7, 8 }, [2, 2]);
        var c = matmul(a, b); // [[19, 22], [43, 50]]
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c.data<float>().ToArray());
    }
}
