using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Modeling.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AlignmentPipeline.Training.Lora;

/// <summary>
/// LoRA adapters attached to a model's block projections (Hu et al. 2021, eq. 3): h = W₀x + (α/r)·B·A·x. Every base
/// weight is frozen (requires_grad false), so an optimizer built from the model's named parameters holds only the
/// adapters, and a checkpoint of the trainable parameters holds only them. Each adapter is two bias-free
/// <see cref="Linear"/> children of the projection, <c>lora_A</c> (in → r, Kaiming-uniform as nn.Linear and PEFT
/// initialise it) and <c>lora_B</c> (r → out, zero), named like PEFT's keys (<c>….q_proj.lora_A.weight</c>), and a
/// forward hook adds their path to the projection's output. Projections are the Llama family's <see cref="Linear"/>
/// layers and GPT-2's <see cref="Conv1D"/> layers (weight stored (in, out); PEFT's <c>fan_in_fan_out</c>).
/// <see cref="Merge"/> folds the adapters into W₀ and leaves a plain model.
/// </summary>
internal sealed class LoraAdapters : IDisposable
{
    private const string AName = "lora_A";
    private const string BName = "lora_B";
    private readonly ICausalLanguageModel model;
    private readonly List<Adapter> adapters;

    private LoraAdapters(ICausalLanguageModel model, List<Adapter> adapters)
    {
        this.model = model;
        this.adapters = adapters;
    }

    /// <summary>The adapted projections by module name, e.g. <c>model.layers.0.self_attn.q_proj</c>.</summary>
    public IReadOnlyList<string> Targets => adapters.Select(a => a.Projection.Name).ToArray();

    /// <summary>Adapter parameters (A and B of every target), the only trainable ones while attached.</summary>
    public long TrainableParameterCount => adapters.Sum(a => a.A.weight.numel() + a.B.weight.numel());

    /// <summary>
    /// <see cref="Attach"/> when <paramref name="options"/> is set, saying so in the stage log; null without LoRA.
    /// </summary>
    public static LoraAdapters? AttachLogged(ICausalLanguageModel model, LoraOptions? options, StageContext stage)
    {
        if (options is null)
        {
            return null;
        }

        var adapters = Attach(model, options);
        stage.Log.Info($"{stage.StageName}: LoRA rank {options.Rank}, α {options.Alpha} on {adapters.Targets.Count} projections " +
                       $"({adapters.TrainableParameterCount} trainable parameters); the base weights are frozen");
        return adapters;
    }

    /// <summary>
    /// Freezes <paramref name="model"/> and attaches adapters to every projection (<see cref="Linear"/> or GPT-2's
    /// <see cref="Conv1D"/>) inside its transformer blocks whose last name segment is one of
    /// <see cref="LoraOptions.TargetModules"/>, or of <see cref="DefaultTargets"/> when that is null. A draws from torch's
    /// global generator: seed it first. Adapters are float32 on the model's device whatever the model's dtype.
    /// A target name that matches no such layer is a <see cref="UserErrorException"/> listing the names this architecture has.
    /// </summary>
    public static LoraAdapters Attach(ICausalLanguageModel model, LoraOptions options)
    {
        var candidates = model.Module.named_modules()
            .Where(m => m.module is Linear or Conv1D && IsInsideBlock(m.name))
            .Select(m => Projection.Of(m.name, m.module))
            .ToList();
        var available = candidates.Select(c => LastSegment(c.Name)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var targets = options.TargetModules ?? DefaultTargets(model.Config);
        var missing = targets.Where(t => !available.Contains(t)).ToList();
        if (missing.Count > 0)
        {
            throw new UserErrorException(
                $"lora.target_modules: {string.Join(", ", missing.Select(m => $"'{m}'"))} names no projection of this {model.Config.ModelType} model's blocks; " +
                (available.Count == 0 ? "this architecture has none LoRA can adapt" : $"choose from {string.Join(", ", available)}"));
        }

        foreach (var (_, parameter) in model.NamedParameters())
        {
            parameter.requires_grad = false;
        }

        var adapters = new List<Adapter>();
        foreach (var projection in candidates.Where(c => targets.Contains(LastSegment(c.Name))))
        {
            var (outFeatures, inFeatures) = projection.Shape;
            var device = projection.Weight.device;
            var a = nn.Linear(inFeatures, options.Rank, hasBias: false, device: device, dtype: ScalarType.Float32); // weight (r, in), Kaiming-uniform
            var b = nn.Linear(options.Rank, outFeatures, hasBias: false, device: device, dtype: ScalarType.Float32); // weight (out, r)
            using (no_grad())
            {
                b.weight.zero_();
            }

            projection.Module.register_module(AName, a);
            projection.Module.register_module(BName, b);
            var (scaling, dropout) = (options.Scaling, options.Dropout);
            var hook = projection.Module.register_forward_hook((module, x, output) =>
            {
                var input = dropout > 0 ? F.dropout(x, dropout, module.training) : x; // (…, in)
                var update = b.forward(a.forward(input.to(ScalarType.Float32))) * scaling; // (…, out)
                return output + update.to(output.dtype); // (…, out)
            });
            adapters.Add(new Adapter(projection, a, b, scaling, hook));
        }

        return new LoraAdapters(model, adapters);
    }

    /// <summary>
    /// Folds every adapter into its base weight, W₀ ← W₀ + (α/r)·B·A (computed in float32), removes the hooks and the
    /// adapter modules and unfreezes the model: what is left is a plain model that computes the adapted function and
    /// saves with its usual keys.
    /// </summary>
    public void Merge()
    {
        using (no_grad())
        {
            foreach (var adapter in adapters)
            {
                using var scope = NewDisposeScope();
                var weight = adapter.Projection.Weight; // (out, in), or (in, out) for Conv1D
                var delta = adapter.B.weight.matmul(adapter.A.weight) * adapter.Scaling; // (out, in)
                weight.add_((adapter.Projection.InputMajor ? delta.t() : delta).to(weight.dtype));
            }
        }

        Detach();
        foreach (var (_, parameter) in model.NamedParameters())
        {
            parameter.requires_grad = true;
        }
    }

    /// <summary>Removes any adapters still attached without merging them.</summary>
    public void Dispose() => Detach();

    private void Detach()
    {
        foreach (var adapter in adapters)
        {
            adapter.Hook.remove();
            adapter.Projection.Module.register_module(AName, null!);
            adapter.Projection.Module.register_module(BName, null!);
            adapter.A.Dispose();
            adapter.B.Dispose();
        }

        adapters.Clear();
    }

    /// <summary>Whether a module sits inside a numbered transformer block (<c>model.layers.3.…</c>), where projections run through hooks.</summary>
    private static bool IsInsideBlock(string name) => name.Split('.').Any(part => part.Length > 0 && part.All(char.IsAsciiDigit));

    private static string LastSegment(string name) => name[(name.LastIndexOf('.') + 1)..];

    /// <summary>
    /// PEFT's defaults when <see cref="LoraOptions.TargetModules"/> is not set: GPT-2's fused attention input
    /// <c>c_attn</c>; the query and value projections (as in the paper) for the Llama family.
    /// </summary>
    public static IReadOnlyList<string> DefaultTargets(ICausalLanguageModelConfig config) =>
        config.ModelType == "gpt2" ? ["c_attn"] : ["q_proj", "v_proj"];

    /// <summary>An adaptable projection: its module name, the module, and its weight in either layout.</summary>
    private sealed record Projection(string Name, nn.Module<Tensor, Tensor> Module, Parameter Weight, bool InputMajor)
    {
        /// <summary>(out, in) features.</summary>
        public (long Out, long In) Shape => InputMajor ? (Weight.shape[1], Weight.shape[0]) : (Weight.shape[0], Weight.shape[1]);

        public static Projection Of(string name, nn.Module module) => module switch
        {
            Linear linear => new(name, linear, linear.weight!, InputMajor: false), // weight (out, in)
            Conv1D conv => new(name, conv, conv.Weight, InputMajor: true), // weight (in, out)
            _ => throw new ArgumentException($"{name} is a {module.GetType().Name}, not a projection", nameof(module)),
        };
    }

    private sealed record Adapter(
        Projection Projection, Linear A, Linear B, double Scaling, nn.HookableModule<Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover Hook);
}
