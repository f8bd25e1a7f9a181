using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Tests.Optimization;

/// <summary>A seeded linear regression problem: fixed batches and a loss, for optimizer tests.</summary>
internal sealed class TinyRegression : IDisposable
{
    private readonly List<(Tensor X, Tensor Y)> _batches = [];

    public TinyRegression(int steps, int batchSize = 8, int inputs = 4, int outputs = 3, long seed = 7)
    {
        var generator = new torch.Generator((ulong)seed);
        for (var i = 0; i < steps; i++)
        {
            var x = torch.randn([batchSize, inputs], generator: generator).DetachFromDisposeScope(); // (B, In)
            var y = torch.randn([batchSize, outputs], generator: generator).DetachFromDisposeScope(); // (B, Out)
            _batches.Add((x, y));
        }
    }

    public IReadOnlyList<(Tensor X, Tensor Y)> Batches => _batches;

    /// <summary>A Linear layer with seeded weights, identical for the same seed.</summary>
    public static Linear NewModel(int inputs = 4, int outputs = 3, long seed = 11)
    {
        torch.manual_seed(seed);
        return torch.nn.Linear(inputs, outputs);
    }

    /// <summary>Mean squared error of one batch; backward leaves the gradients on the model.</summary>
    public static void Backward(Linear model, Tensor x, Tensor y)
    {
        using var scope = torch.NewDisposeScope();
        var loss = (model.forward(x) - y).square().mean(); // ()
        loss.backward();
    }

    public static Tensor[] Snapshot(Linear model)
    {
        using var noGrad = torch.no_grad();
        return model.parameters().Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray();
    }

    public static void CopyInto(Linear model, Tensor[] weights)
    {
        using var noGrad = torch.no_grad();
        foreach (var (p, w) in model.parameters().Zip(weights))
        {
            p.copy_(w);
        }
    }

    public void Dispose()
    {
        foreach (var (x, y) in _batches)
        {
            x.Dispose();
            y.Dispose();
        }
    }
}
