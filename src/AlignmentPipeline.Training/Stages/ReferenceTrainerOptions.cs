using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using AlignmentPipeline.Core.Configuration;

namespace AlignmentPipeline.Training.Stages;

/// <summary>
/// The options dpo and kto share on top of <see cref="EvaluatedTrainerOptions"/>: the policy's starting model, and the
/// reference whose cached log-probs they read (never loading it) and its tokenizer. Inherited, so the YAML keys stay
/// flat beside each stage's own <c>loss</c>.
/// </summary>
public abstract record ReferenceTrainerOptions : EvaluatedTrainerOptions
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
}
