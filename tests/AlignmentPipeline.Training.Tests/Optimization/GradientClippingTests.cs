using AlignmentPipeline.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Tests.Optimization;

public sealed class GradientClippingTests
{
    private static TorchSharp.Modules.Parameter WithGradient(float[] gradient)
    {
        var parameter = torch.nn.Parameter(torch.zeros(gradient.Length));
        parameter.grad = torch.tensor(gradient);
        return parameter;
    }

    [Fact]
    public void Clipping_scales_to_the_max_norm_and_returns_the_norm_before_clipping()
    {
        // Gradients (3, 4) and (12): global norm √(9 + 16 + 144) = 13. Max norm 1.3 → factor 1.3 / (13 + 1e-6) ≈ 0.1.
        using var scope = torch.NewDisposeScope();
        var a = WithGradient([3, 4]);
        var b = WithGradient([12]);

        var norm = GradientClipping.ClipByGlobalNorm([a, b], 1.3);

        Assert.Equal(13.0, norm, 1e-6);
        var factor = 1.3 / (13 + 1e-6);
        Assert.Equal([3 * factor, 4 * factor], a.grad!.data<float>().ToArray().Select(x => (double)x), (x, y) => Math.Abs(x - y) < 1e-6);
        Assert.Equal(12 * factor, b.grad!.item<float>(), 1e-6);
    }

    [Fact]
    public void Gradients_under_the_max_norm_are_unchanged()
    {
        using var scope = torch.NewDisposeScope();
        var a = WithGradient([0.3f, 0.4f]);
        Assert.Equal(0.5, GradientClipping.ClipByGlobalNorm([a], 1.0), 1e-7);
        Assert.Equal([0.3f, 0.4f], a.grad!.data<float>().ToArray());
    }

    [Fact]
    public void Max_norm_zero_only_measures()
    {
        using var scope = torch.NewDisposeScope();
        var a = WithGradient([30, 40]);
        Assert.Equal(50.0, GradientClipping.ClipByGlobalNorm([a], 0), 1e-5);
        Assert.Equal([30f, 40f], a.grad!.data<float>().ToArray());
    }

    [Fact]
    public void Matches_torchsharp_clip_grad_norm_on_random_gradients()
    {
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(3);
        var ours = Enumerable.Range(0, 5).Select(i => WithGradient(torch.randn([7 + i], generator: generator).mul(3).data<float>().ToArray())).ToArray();
        var theirs = ours.Select(p => WithGradient(p.grad!.data<float>().ToArray())).ToArray();

        var ourNorm = GradientClipping.ClipByGlobalNorm(ours, 2.0);
        var theirNorm = torch.nn.utils.clip_grad_norm_(theirs, 2.0, 2.0);

        Assert.Equal(theirNorm, ourNorm, 1e-5);
        foreach (var (a, b) in ours.Zip(theirs))
        {
            Assert.True((a.grad! - b.grad!).abs().max().item<float>() <= 1e-7f);
        }
    }

    [Fact]
    public void Parameters_without_gradients_are_ignored()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal(0.0, GradientClipping.ClipByGlobalNorm([torch.nn.Parameter(torch.zeros(3))], 1.0));
    }
}
