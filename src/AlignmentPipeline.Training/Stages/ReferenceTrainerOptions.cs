using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Training.Trainers;

namespace AlignmentPipeline.Training.Stages;

/// <summary>
/// The options dpo and kto share on top of <see cref="TrainerOptions"/>: the policy's starting model, the reference
/// whose cached log-probs they read (never loading it) and its tokenizer, and the held-out evaluation. Inherited, so the
/// YAML keys stay flat beside each stage's own <c>loss</c>.
/// </summary>
public abstract record ReferenceTrainerOptions : TrainerOptions
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

    [Description("Fraction of pairs (picked by a hash of seed and id; kto holds out both examples of a pair together) held out " +
                 "for evaluation, in addition to the input's eval/ split. Default: 0.")]
    [Range(0.0, 0.9)]
    public double EvalFraction { get; init; }

    [Description("Evaluate on the held-out pairs every this many steps (and after the last step); 0 only at the end. Default: 0.")]
    [Range(0, int.MaxValue)]
    public int EvalEvery { get; init; }

    /// <summary>The loop settings these options describe.</summary>
    internal LoopSettings Loop => LoopSettings(EvalEvery);
}
