using AlignmentPipeline.Modeling.Models;
using static TorchSharp.torch;

namespace AlignmentPipeline.Modeling.Checkpoints;

/// <summary>Copies tensors into a model's parameters by checkpoint name, checking that names and shapes match exactly.</summary>
internal static class WeightAssigner
{
    /// <summary>
    /// Every parameter must be present with its exact shape; every tensor must be used unless
    /// <paramref name="ignorable"/> says it is a known extra (a rotary cache, a causal-mask buffer, a tied copy).
    /// </summary>
    public static void Assign(
        ICausalLanguageModel model, IReadOnlyDictionary<string, HostTensor> tensors, string path, Func<string, bool> ignorable)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, parameter) in model.NamedParameters())
        {
            if (!tensors.TryGetValue(name, out var source))
            {
                throw new ModelFormatException(path, $"tensor '{name}' is missing (expected shape {HostTensor.Format(parameter.shape)})");
            }

            if (!source.Shape.SequenceEqual(parameter.shape))
            {
                throw new ModelFormatException(path,
                    $"tensor '{name}': expected shape {HostTensor.Format(parameter.shape)}, found {source.ShapeText}");
            }

            parameter.copy_(tensor(source.Values, source.Shape).to(parameter.dtype, parameter.device));
            used.Add(name);
        }

        var unexpected = tensors.Keys.Where(k => !used.Contains(k) && !ignorable(k)).Order(StringComparer.Ordinal).ToList();
        if (unexpected.Count > 0)
        {
            throw new ModelFormatException(path,
                $"{unexpected.Count} tensor(s) have no place in the {model.Config.ModelType} model: " +
                string.Join(", ", unexpected.Take(10)) + (unexpected.Count > 10 ? ", …" : "") + "; does config.json match the weights?");
        }
    }

    /// <summary>A parameter's values as float32 on the host, shape in PyTorch order.</summary>
    public static HostTensor ToHost(Tensor parameter)
    {
        using var scope = NewDisposeScope();
        var values = parameter.detach().cpu().to(float32).contiguous().data<float>().ToArray();
        return new HostTensor(parameter.shape.ToArray(), values);
    }
}
