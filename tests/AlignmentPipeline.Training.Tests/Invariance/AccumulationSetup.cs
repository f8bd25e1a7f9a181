using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Tests.Invariance;

/// <summary>
/// One side of an accumulation-invariance comparison: the trainable parameters and a function giving the
/// per-example losses of the examples with the given indices at a given optimizer step. Build two identical ones.
/// </summary>
/// <param name="NamedParameters">Parameters to optimise, each once.</param>
/// <param name="PerExampleLosses">(step, example indices) → per-example losses (n), attached to the graph.</param>
/// <param name="Owned">Disposed with the setup (the model).</param>
internal sealed record AccumulationSetup(
    IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters,
    Func<int, int[], Tensor> PerExampleLosses,
    IDisposable Owned) : IDisposable
{
    public void Dispose() => Owned.Dispose();
}
