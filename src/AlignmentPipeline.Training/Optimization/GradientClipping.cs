using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Optimization;

/// <summary>Gradient clipping by global L2 norm, the arithmetic of PyTorch's <c>clip_grad_norm_</c>.</summary>
internal static class GradientClipping
{
    /// <summary>
    /// Scales every gradient by min(1, maxNorm / (‖g‖ + 1e-6)), where ‖g‖ is the L2 norm of all gradients together,
    /// and returns ‖g‖ before clipping (TRL's <c>grad_norm</c>). A <paramref name="maxNorm"/> of 0 or +∞ only
    /// measures. A non-finite norm is returned as is and leaves the gradients non-finite: skip that update.
    /// Parameters without a gradient are ignored; with none at all the norm is 0.
    /// </summary>
    public static double ClipByGlobalNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxNorm);
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var gradients = parameters.Select(p => p.grad).OfType<Tensor>().ToArray();
        if (gradients.Length == 0)
        {
            return 0;
        }
        var perTensorNorms = torch.stack(gradients.Select(g => torch.linalg.vector_norm(g, 2)).ToArray()); // (P)
        var totalNorm = torch.linalg.vector_norm(perTensorNorms, 2); // ()
        if (maxNorm > 0 && double.IsFinite(maxNorm))
        {
            var clipCoefficient = (maxNorm / (totalNorm + 1e-6)).clamp_max(1.0); // ()
            foreach (var gradient in gradients)
            {
                gradient.mul_(clipCoefficient.to_type(gradient.dtype));
            }
        }
        return totalNorm.to_type(ScalarType.Float64).item<double>();
    }
}
