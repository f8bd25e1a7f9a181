using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Training.Optimization;
using AlignmentPipeline.Training.Trainers;

namespace AlignmentPipeline.Training.Stages;

/// <summary>Options of <c>kind: sft</c>: supervised fine-tuning on prompt → completion pairs of the input stage.</summary>
public sealed record SftOptions : IValidatableOptions
{
    [Description("The starting model: a stage that publishes model/ or a model path (HF folder, .safetensors, .gguf, llama2.c .bin). " +
                 "Exactly one of init and from_scratch.")]
    [PathOrStage]
    public string? Init { get; init; }

    [Description("Train a fresh Llama-style model of this shape instead of starting from init.")]
    public FromScratchOptions? FromScratch { get; init; }

    [Description("'byte' for the byte tokenizer, or a tokenizer file or folder. Default: the tokenizer in the init model's folder.")]
    public string? Tokenizer { get; init; }

    [Description("Which response to train on: chosen, rejected, both or random (a seeded per-pair pick). Default: chosen.")]
    public CompletionChoice Completion { get; init; } = CompletionChoice.Chosen;

    [Description("Longest prompt + completion in tokens; longer pairs are dropped and counted (dropped_too_long). " +
                 "Default: 512, capped by the model's own limit.")]
    [Range(2, 1048576)]
    public int MaxLength { get; init; } = 512;

    [Description("Peak learning rate after warmup. Default: 2e-5.")]
    public double LearningRate { get; init; } = 2e-5;

    [Description("Schedule after warmup: constant, linear or cosine. Default: cosine.")]
    public LearningRateScheduleKind LrSchedulerType { get; init; } = LearningRateScheduleKind.Cosine;

    [Description("Steps of linear warmup from 0 to learning_rate. Default: 0.")]
    [Range(0, int.MaxValue)]
    public int WarmupSteps { get; init; }

    [Description("Optimizer steps to run; 0 derives them from epochs. Default: 0.")]
    [Range(0, int.MaxValue)]
    public int MaxSteps { get; init; }

    [Description("Passes over the training examples when max_steps is 0 (fractions allowed). Default: 1.")]
    [Range(0.0, 1e6)]
    public double Epochs { get; init; } = 1;

    [Description("Examples per forward pass (micro-batch). Default: 8.")]
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

    [Description("Seed of initialisation, data order and the random completion pick. Default: 42.")]
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
        Optimizer, Seed, CheckpointEvery, EvalEvery: 0);

    public IEnumerable<OptionProblem> Validate()
    {
        if ((Init is null) == (FromScratch is null))
        {
            yield return new("init", "set exactly one of 'init' (a model path or stage) and 'from_scratch' (a model shape)");
        }

        if (FromScratch is not null && Tokenizer is null)
        {
            yield return new("tokenizer", "from_scratch needs a tokenizer: 'byte' or a tokenizer file or folder");
        }

        foreach (var problem in Loop.Validate())
        {
            yield return problem;
        }
    }
}
