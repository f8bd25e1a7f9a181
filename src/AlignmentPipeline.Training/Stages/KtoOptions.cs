using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Training.Losses;
using AlignmentPipeline.Training.Optimization;
using AlignmentPipeline.Training.Trainers;

namespace AlignmentPipeline.Training.Stages;

/// <summary>
/// Options of <c>kind: kto</c>: KTO (Ethayarajh et al. 2024) of a policy against reference log-probs read from a
/// <c>ref-logprobs</c> input computed with <c>kto_mismatched: true</c>. The reference model is never loaded.
/// </summary>
public sealed record KtoOptions : IValidatableOptions
{
    [Description("The policy's starting model: a stage that publishes model/ (e.g. an sft stage) or a model path.")]
    [Required]
    [PathOrStage]
    public string? Init { get; init; }

    [Description("The reference model (a stage or path). Its cache key, computed from its files without loading it, must " +
                 "equal the input cache's. Default: init.")]
    [PathOrStage]
    public string? Reference { get; init; }

    [Description("'byte' or a tokenizer file or folder; it must be the one the cache used. Default: the init model's folder.")]
    public string? Tokenizer { get; init; }

    [Description("The KTO objective as TRL's KTOConfig names it: {beta, desirable_weight, undesirable_weight}. Default: 0.1, 1, 1.")]
    public KtoLossOptions Loss { get; init; } = new();

    [Description("Fraction of pairs (picked by a hash of seed and id, both examples of a pair together) held out for evaluation. Default: 0.")]
    [Range(0.0, 0.9)]
    public double EvalFraction { get; init; }

    [Description("Evaluate on the held-out pairs every this many steps (and after the last step); 0 only at the end. Default: 0.")]
    [Range(0, int.MaxValue)]
    public int EvalEvery { get; init; }

    [Description("Longest prompt + completion in tokens, mismatched KL completions included; longer pairs are dropped and " +
                 "counted (dropped_too_long). Default: 512.")]
    [Range(2, 1048576)]
    public int MaxLength { get; init; } = 512;

    [Description("Peak learning rate after warmup. Default: 1e-6 (TRL's KTOConfig).")]
    public double LearningRate { get; init; } = 1e-6;

    [Description("Schedule after warmup: constant, linear or cosine. Default: cosine.")]
    public LearningRateScheduleKind LrSchedulerType { get; init; } = LearningRateScheduleKind.Cosine;

    [Description("Steps of linear warmup from 0 to learning_rate. Default: 0.")]
    [Range(0, int.MaxValue)]
    public int WarmupSteps { get; init; }

    [Description("Optimizer steps to run; 0 derives them from epochs. Default: 0.")]
    [Range(0, int.MaxValue)]
    public int MaxSteps { get; init; }

    [Description("Passes over the training examples (two per pair) when max_steps is 0 (fractions allowed). Default: 1.")]
    [Range(0.0, 1e6)]
    public double Epochs { get; init; } = 1;

    [Description("Unpaired examples per forward pass (micro-batch); each also scores its mismatched KL completion. Default: 8.")]
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

    [Description("Seed of data order and the evaluation hold-out. Default: 42.")]
    public long Seed { get; init; } = 42;

    [Description("Write a resumable checkpoint every this many steps; 0 never. Default: 50.")]
    [Range(0, int.MaxValue)]
    public int CheckpointEvery { get; init; } = 50;

    [Description("CPU threads for libtorch; null keeps its default. Results are bitwise reproducible for a fixed thread count.")]
    [Range(1, 1024)]
    public int? Threads { get; init; }

    /// <summary>The loop settings these options describe.</summary>
    internal LoopSettings Loop => new(
        BatchSize, GradientAccumulationSteps, MaxSteps, Epochs, LrSchedulerType, LearningRate, WarmupSteps, MaxGradNorm,
        Optimizer, Seed, CheckpointEvery, EvalEvery);

    /// <summary>The loop's problems; <c>loss:</c> validates itself as a nested options object.</summary>
    public IEnumerable<OptionProblem> Validate() => Loop.Validate();
}
