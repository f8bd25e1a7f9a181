using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Training.Lora;
using AlignmentPipeline.Training.Optimization;
using AlignmentPipeline.Training.Trainers;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Stages;

/// <summary>
/// The options every trainer stage shares (optimisation loop, checkpoints, runtime, LoRA), inherited by
/// <see cref="SftOptions"/> and <see cref="DpoOptions"/> so their YAML keys stay flat: <c>learning_rate</c>,
/// <c>batch_size</c>, <c>device</c>, <c>lora</c>, … sit beside each stage's own keys.
/// </summary>
public abstract record TrainerOptions : IValidatableOptions
{
    [Description("Longest prompt + completion in tokens; longer pairs are dropped and counted (dropped_too_long). " +
                 "Default: 512, capped by the model's own limit.")]
    [Range(2, 1048576)]
    public int MaxLength { get; init; } = 512;

    [Description("Peak learning rate after warmup. Default: 2e-5 for sft, 5e-7 for dpo (DPO moves far with small rates).")]
    public double LearningRate { get; init; } = 2e-5;

    [Description("Schedule after warmup: constant, linear or cosine. Default: cosine.")]
    public LearningRateScheduleKind LrSchedulerType { get; init; } = LearningRateScheduleKind.Cosine;

    [Description("Steps of linear warmup from 0 to learning_rate. Default: 0.")]
    [Range(0, int.MaxValue)]
    public int WarmupSteps { get; init; }

    [Description("Optimizer steps to run; 0 derives them from epochs. Default: 0.")]
    [Range(0, int.MaxValue)]
    public int MaxSteps { get; init; }

    [Description("Passes over the training examples (dpo: pairs) when max_steps is 0 (fractions allowed). Default: 1.")]
    [Range(0.0, 1e6)]
    public double Epochs { get; init; } = 1;

    [Description("Examples (dpo: pairs) per forward pass (micro-batch). Default: 8.")]
    [Range(1, 1_000_000)]
    public int BatchSize { get; init; } = 8;

    [Description("Micro-batches per optimizer step; the step's gradient is that of the mean over all of them. Default: 1.")]
    [Range(1, 1_000_000)]
    public int GradientAccumulationSteps { get; init; } = 1;

    [Description("Clip the global gradient norm to this; 0 disables clipping. Default: 1.0.")]
    [Range(0.0, 1e12)]
    public double MaxGradNorm { get; init; } = 1.0;

    [Description("AdamW hyper-parameters: beta1, beta2, epsilon, weight_decay. Default: 0.9, 0.999, 1e-8, 0.")]
    public AdamWOptions Optimizer { get; init; } = new();

    [Description("Seed of initialisation (from_scratch, LoRA A matrices), data order, sft's random completion pick and dpo's " +
                 "evaluation hold-out. Default: 42.")]
    public long Seed { get; init; } = 42;

    [Description("Write a resumable checkpoint every this many steps; 0 never. Default: 50.")]
    [Range(0, int.MaxValue)]
    public int CheckpointEvery { get; init; } = 50;

    [Description("CPU threads for libtorch; null keeps its default. Results are bitwise reproducible for a fixed thread count.")]
    [Range(1, 1024)]
    public int? Threads { get; init; }

    [Description("Where to train: auto (CUDA when torch.cuda.is_available(), else CPU), cpu, cuda or cuda:N. A CUDA device " +
                 "that is not available fails the stage before any model loads. Default: auto.")]
    public string Device { get; init; } = "auto";

    [Description("Weights and activations: float32, or bfloat16 on CUDA only (100–500× slower on CPUs without bf16 units, " +
                 "so a CPU run refuses it). Default: float32.")]
    public string Dtype { get; init; } = "float32";

    [Description("Train low-rank adapters on a frozen model instead of every weight, e.g. {rank: 8, alpha: 16, " +
                 "target_modules: [q_proj, v_proj]}; the published model has them merged in. Default: none (full fine-tuning).")]
    public LoraOptions? Lora { get; init; }

    /// <summary>The runtime these options ask for (validate it on the machine that runs the stage).</summary>
    public ModelRuntimeOptions Runtime => new(Device, Dtype, Threads);

    public virtual IEnumerable<OptionProblem> Validate()
    {
        var device = Device.Trim().ToLowerInvariant();
        if (device is not ("auto" or "cpu" or "cuda") && !(device.StartsWith("cuda:", StringComparison.Ordinal) && uint.TryParse(device[5..], out _)))
        {
            yield return new("device", $"'{Device}' is not one of auto, cpu, cuda, cuda:N");
        }

        var dtype = Dtype.Trim().ToLowerInvariant();
        if (dtype is not ("float32" or "bfloat16"))
        {
            yield return new("dtype", $"'{Dtype}' is not one of float32, bfloat16");
        }
        else if (dtype == "bfloat16" && device == "cpu")
        {
            yield return new("dtype", "bfloat16 needs device cuda (on CPUs without bf16 units it is 100–500× slower); use float32 with device cpu");
        }

        foreach (var problem in LoopSettings(evalEvery: 0).Validate())
        {
            yield return problem;
        }
    }

    /// <summary>
    /// The runtime, checked on the machine that runs the stage: a CUDA device that is not available, or bfloat16 where
    /// <c>auto</c> resolved to the CPU, is a <see cref="UserErrorException"/> (exit 2) naming the option, raised before
    /// any model loads.
    /// </summary>
    internal ModelRuntimeOptions CheckedRuntime(string stageName)
    {
        var runtime = Runtime;
        var problems = runtime.Validate();
        if (problems.Count > 0)
        {
            throw new UserErrorException($"{stageName}: {string.Join("; ", problems)}");
        }

        if (runtime.ResolveDType() == ScalarType.BFloat16 && runtime.ResolveDevice().type != DeviceType.CUDA)
        {
            throw new UserErrorException($"{stageName}: dtype bfloat16 needs CUDA but device '{Device}' resolved to the CPU; set 'dtype: float32' " +
                                         "or run where CUDA is available");
        }

        return runtime;
    }

    /// <summary>The loop settings these options describe, with the evaluation period of the stage.</summary>
    private protected LoopSettings LoopSettings(int evalEvery) => new(
        BatchSize, GradientAccumulationSteps, MaxSteps, Epochs, LrSchedulerType, LearningRate, WarmupSteps, MaxGradNorm,
        Optimizer, Seed, CheckpointEvery, evalEvery);
}
