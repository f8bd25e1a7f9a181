using System.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Optimization;

/// <summary>
/// AdamW with decoupled weight decay (Loshchilov and Hutter 2019, "Decoupled Weight Decay Regularization",
/// Algorithm 2), step for step the arithmetic of PyTorch's single-tensor <c>torch.optim.AdamW</c>:
/// p ← p·(1 − lr·λ); m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; p ← p − (lr / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε).
/// Parameters are deduplicated by storage (tied embeddings appear twice in <c>named_parameters()</c>; the first
/// name wins), 1-d parameters (biases, norm gains) are not decayed, and parameters without a gradient are skipped
/// with their step count unchanged, as in PyTorch. The full state saves to a stream for bit-identical resume.
/// </summary>
internal sealed class AdamW : IDisposable
{
    private const string Magic = "AlignmentPipeline.AdamW/1";
    private readonly AdamWOptions _options;
    private readonly ParameterState[] _states;

    private AdamW(AdamWOptions options, ParameterState[] states)
    {
        _options = options;
        _states = states;
    }

    /// <summary>The optimised parameters after deduplication, in first-seen order (pass these to gradient clipping).</summary>
    public IReadOnlyList<Parameter> Parameters => _states.Select(s => s.Parameter).ToArray();

    /// <summary>Names of the parameters that receive weight decay.</summary>
    public IReadOnlyList<string> DecayedNames => _states.Where(s => s.Decay).Select(s => s.Name).ToArray();

    /// <summary>Names of the parameters that never receive weight decay (1-d: biases, norm gains).</summary>
    public IReadOnlyList<string> UndecayedNames => _states.Where(s => !s.Decay).Select(s => s.Name).ToArray();

    /// <summary>How many times <see cref="Step"/> has been called (restored by <see cref="Load"/>).</summary>
    public long StepCount { get; private set; }

    /// <summary>Builds the optimizer over a module's named parameters; frozen parameters (requires_grad false) are left out.</summary>
    public static AdamW Create(IEnumerable<(string Name, Parameter Parameter)> namedParameters, AdamWOptions options)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid AdamW options: " + string.Join("; ", problems.Select(p => $"{p.Key}: {p.Message}")), nameof(options));
        }
        var unique = new List<(string Name, Parameter Parameter)>();
        foreach (var (name, parameter) in namedParameters)
        {
            if (parameter.requires_grad && !unique.Any(u => SameTensor(u.Parameter, parameter)))
            {
                unique.Add((name, parameter));
            }
        }
        var states = unique.Select(u => new ParameterState(u.Name, u.Parameter, decay: u.Parameter.dim() >= 2)).ToArray();
        return new AdamW(options, states);
    }

    /// <summary>
    /// True when both wrap the same storage: a tied weight is listed under two names, possibly through two managed
    /// wrappers with different handles, so identity alone does not find it.
    /// </summary>
    private static bool SameTensor(Parameter a, Parameter b) =>
        ReferenceEquals(a, b) || a.Handle == b.Handle ||
        (a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.storage_offset() == b.storage_offset() &&
         DataPointer(a) is { } pointer && pointer == DataPointer(b));

    /// <summary>The storage address of a floating-point tensor; null for other dtypes (then only identity counts).</summary>
    private static IntPtr? DataPointer(Tensor t) => t.dtype switch
    {
        ScalarType.Float32 => t.storage<float>().data_ptr(),
        ScalarType.Float64 => t.storage<double>().data_ptr(),
        ScalarType.Float16 => t.storage<Half>().data_ptr(),
        _ => null,
    };

    /// <summary>Applies one update with the given learning rate to every parameter that has a gradient.</summary>
    public void Step(double learningRate)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        StepCount++;
        var (beta1, beta2) = (_options.Beta1, _options.Beta2);
        foreach (var state in _states)
        {
            var gradient = state.Parameter.grad;
            if (gradient is null)
            {
                continue;
            }
            state.Steps++;
            state.EnsureMoments();
            var p = state.Parameter;
            if (state.Decay && _options.WeightDecay != 0)
            {
                p.mul_(1 - learningRate * _options.WeightDecay);
            }
            state.FirstMoment!.mul_(beta1).add_(gradient, alpha: 1 - beta1);
            state.SecondMoment!.mul_(beta2).addcmul_(gradient, gradient, value: 1 - beta2);
            var biasCorrection1 = 1 - Math.Pow(beta1, state.Steps);
            var biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(beta2, state.Steps));
            var denominator = (state.SecondMoment.sqrt() / biasCorrection2Sqrt).add_(_options.Epsilon);
            p.addcdiv_(state.FirstMoment, denominator, value: -learningRate / biasCorrection1);
        }
    }

    /// <summary>Clears every parameter's gradient (sets it to null, as PyTorch's <c>set_to_none=True</c>).</summary>
    public void ZeroGrad()
    {
        foreach (var state in _states)
        {
            var gradient = state.Parameter.grad;
            if (gradient is not null)
            {
                state.Parameter.grad = null;
                gradient.Dispose();
            }
        }
    }

    /// <summary>Writes the step counts, options and both moments of every parameter.</summary>
    public void Save(Stream stream)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(StepCount);
        writer.Write(_options.Beta1);
        writer.Write(_options.Beta2);
        writer.Write(_options.Epsilon);
        writer.Write(_options.WeightDecay);
        writer.Write(_states.Length);
        foreach (var state in _states)
        {
            writer.Write(state.Name);
            writer.Write(state.Steps);
            writer.Write(state.FirstMoment is not null);
            if (state.FirstMoment is not null)
            {
                state.FirstMoment.Save(writer);
                state.SecondMoment!.Save(writer);
            }
        }
    }

    /// <summary>
    /// Restores a state written by <see cref="Save"/> for the same parameters (same names, same order, same shapes)
    /// and the same options; anything else is an error because the resumed run would silently differ.
    /// </summary>
    public void Load(Stream stream)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        var magic = reader.ReadString();
        if (magic != Magic)
        {
            throw new InvalidDataException($"Not an AdamW state (header '{magic}', expected '{Magic}').");
        }
        var stepCount = reader.ReadInt64();
        var saved = new AdamWOptions { Beta1 = reader.ReadDouble(), Beta2 = reader.ReadDouble(), Epsilon = reader.ReadDouble(), WeightDecay = reader.ReadDouble() };
        if (saved != _options)
        {
            throw new InvalidDataException($"The AdamW state was saved with {saved} but this optimizer has {_options}; resume with the original options.");
        }
        var count = reader.ReadInt32();
        if (count != _states.Length)
        {
            throw new InvalidDataException($"The AdamW state holds {count} parameters but the model has {_states.Length}.");
        }
        foreach (var state in _states)
        {
            var name = reader.ReadString();
            if (name != state.Name)
            {
                throw new InvalidDataException($"The AdamW state has parameter '{name}' where the model has '{state.Name}'.");
            }
            state.Steps = reader.ReadInt64();
            if (reader.ReadBoolean())
            {
                state.EnsureMoments();
                state.FirstMoment!.Load(reader);
                state.SecondMoment!.Load(reader);
            }
            else
            {
                state.DisposeMoments();
            }
        }
        StepCount = stepCount;
    }

    /// <summary>Frees the moment tensors.</summary>
    public void Dispose()
    {
        foreach (var state in _states)
        {
            state.DisposeMoments();
        }
    }

    private sealed class ParameterState(string name, Parameter parameter, bool decay)
    {
        public string Name { get; } = name;

        public Parameter Parameter { get; } = parameter;

        public bool Decay { get; } = decay;

        public long Steps { get; set; }

        public Tensor? FirstMoment { get; private set; }

        public Tensor? SecondMoment { get; private set; }

        public void EnsureMoments()
        {
            if (FirstMoment is null)
            {
                using var noGrad = torch.no_grad();
                FirstMoment = torch.zeros_like(Parameter).DetachFromDisposeScope();
                SecondMoment = torch.zeros_like(Parameter).DetachFromDisposeScope();
            }
        }

        public void DisposeMoments()
        {
            FirstMoment?.Dispose();
            SecondMoment?.Dispose();
            FirstMoment = null;
            SecondMoment = null;
        }
    }
}
