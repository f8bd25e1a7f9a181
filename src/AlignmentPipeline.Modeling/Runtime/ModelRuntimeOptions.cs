using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Modeling.Runtime;

/// <summary>Where and how a model runs. Validate with <see cref="Validate"/> before use.</summary>
/// <param name="Device">
/// <c>auto</c> (default: CUDA when <c>torch.cuda.is_available()</c>, otherwise CPU), <c>cpu</c> or <c>cuda</c>
/// (optionally <c>cuda:N</c>).
/// </param>
/// <param name="DType">
/// <c>float32</c> (default) or <c>bfloat16</c>. bfloat16 is 100–500× slower on CPUs without bf16 units: use it on CUDA.
/// </param>
/// <param name="Threads">
/// Intra-op CPU threads (<c>torch.set_num_threads</c>, and MKL's process-wide count: see <see cref="NativeThreads"/>);
/// null (default) keeps the count already in use. Either way the count holds on every OS thread a model runs on, and
/// MKL's and OpenMP's dynamic thread adjustment is off.
/// </param>
public sealed record ModelRuntimeOptions(string Device = "auto", string DType = "float32", int? Threads = null)
{
    /// <summary>CPU, float32, libtorch's thread count.</summary>
    public static ModelRuntimeOptions Cpu { get; } = new("cpu");

    /// <summary>Every problem with these options, empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        var device = Device.Trim().ToLowerInvariant();
        if (device is not ("auto" or "cpu" or "cuda") && !IsCudaOrdinal(device))
        {
            problems.Add($"device '{Device}' is not one of auto, cpu, cuda, cuda:N");
        }
        else if (device.StartsWith("cuda", StringComparison.Ordinal) && !cuda.is_available())
        {
            problems.Add($"device '{Device}' was requested but CUDA is not available; use 'auto' or 'cpu'");
        }

        if (DType.Trim().ToLowerInvariant() is not ("float32" or "bfloat16"))
        {
            problems.Add($"dtype '{DType}' is not one of float32, bfloat16");
        }

        if (Threads is < 1)
        {
            problems.Add($"threads must be at least 1 (got {Threads})");
        }

        return problems;
    }

    /// <summary>The resolved device; throws <see cref="ArgumentException"/> listing every problem when invalid.</summary>
    public Device ResolveDevice()
    {
        ThrowIfInvalid();
        var device = Device.Trim().ToLowerInvariant();
        return device == "auto" ? (cuda.is_available() ? CUDA : CPU) : torch.device(device);
    }

    /// <summary>The resolved element type of weights and activations.</summary>
    public ScalarType ResolveDType()
    {
        ThrowIfInvalid();
        return DType.Trim().ToLowerInvariant() == "bfloat16" ? ScalarType.BFloat16 : ScalarType.Float32;
    }

    /// <summary>
    /// Applies <see cref="Threads"/> to libtorch and MKL (process-wide, every OS thread) when set, and turns MKL's
    /// dynamic thread adjustment off in any case.
    /// </summary>
    public void ApplyThreads()
    {
        ThrowIfInvalid();
        NativeThreads.Configure(Threads);
    }

    private void ThrowIfInvalid()
    {
        var problems = Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid model runtime options: " + string.Join("; ", problems));
        }
    }

    private static bool IsCudaOrdinal(string device) =>
        device.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(device[5..], out var ordinal) && ordinal >= 0;
}
