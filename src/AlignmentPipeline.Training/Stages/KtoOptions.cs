using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Training.Losses;
using AlignmentPipeline.Training.Trainers;

namespace AlignmentPipeline.Training.Stages;

/// <summary>
/// Options of <c>kind: kto</c>: KTO (Ethayarajh et al. 2024) of a policy against reference log-probs read from a
/// <c>ref-logprobs</c> input computed with <c>kto_mismatched: true</c>. The reference model is never loaded. The loop,
/// runtime and LoRA options are the shared <see cref="TrainerOptions"/>; <c>batch_size</c> counts unpaired examples, each
/// forwarded with its mismatched KL completion, and <c>max_length</c> bounds those KL sequences too.
/// </summary>
public sealed record KtoOptions : TrainerOptions
{
    /// <summary>KTO's defaults where they differ from the shared ones: learning_rate 1e-6 (TRL's KTOConfig).</summary>
    public KtoOptions()
    {
        LearningRate = 1e-6;
    }

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

    /// <summary>The loop settings these options describe.</summary>
    internal LoopSettings Loop => LoopSettings(EvalEvery);
}
