using System.ComponentModel;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Training.Trainers;

namespace AlignmentPipeline.Training.Stages;

/// <summary>
/// Options of <c>kind: sft</c>: supervised fine-tuning on prompt → completion pairs of the input stage. The loop,
/// runtime and LoRA options are the shared <see cref="TrainerOptions"/>.
/// </summary>
public sealed record SftOptions : TrainerOptions
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

    [Description("Pack each micro-batch's examples into rows of up to max_length tokens; attention stays within an example " +
                 "(block-diagonal causal mask, positions restart per example), so loss and gradients equal the unpacked ones " +
                 "with less padding. Default: false.")]
    public bool Packing { get; init; }

    /// <summary>The loop settings these options describe.</summary>
    internal LoopSettings Loop => LoopSettings(evalEvery: 0);

    public override IEnumerable<OptionProblem> Validate()
    {
        if ((Init is null) == (FromScratch is null))
        {
            yield return new("init", "set exactly one of 'init' (a model path or stage) and 'from_scratch' (a model shape)");
        }

        if (FromScratch is not null && Tokenizer is null)
        {
            yield return new("tokenizer", "from_scratch needs a tokenizer: 'byte' or a tokenizer file or folder");
        }

        if (FromScratch is not null && Lora is not null)
        {
            yield return new("lora", "adapters on a randomly initialised model learn next to nothing; train from_scratch without 'lora'");
        }

        foreach (var problem in base.Validate())
        {
            yield return problem;
        }
    }
}
