using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Training.Trainers;

namespace AlignmentPipeline.Training.Stages;

/// <summary>
/// Options of <c>kind: dpo</c>: preference optimisation of a policy against reference log-probs read from a
/// <c>ref-logprobs</c> input stage. The reference model is never loaded unless <c>live_reference</c> is true. The loop,
/// runtime and LoRA options are the shared <see cref="TrainerOptions"/>.
/// </summary>
public sealed record DpoOptions : TrainerOptions
{
    /// <summary>DPO's defaults where they differ from the shared ones: learning_rate 5e-7.</summary>
    public DpoOptions()
    {
        LearningRate = 5e-7;
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

    [Description("The preference objective, e.g. {type: sigmoid, beta: 0.1}. Default: sigmoid with β 0.1.")]
    public DpoLossOptions Loss { get; init; } = new();

    [Description("Load the reference model and compute its log-probs during training instead of reading a cache. Only for " +
                 "benchmarks and for inputs without a cache; it doubles the forward work. Default: false.")]
    public bool LiveReference { get; init; }

    [Description("Fraction of pairs (picked by a hash of seed and id) held out for evaluation. Default: 0.")]
    [Range(0.0, 0.9)]
    public double EvalFraction { get; init; }

    [Description("Evaluate on the held-out pairs every this many steps (and after the last step); 0 only at the end. Default: 0.")]
    [Range(0, int.MaxValue)]
    public int EvalEvery { get; init; }

    /// <summary>The loop settings these options describe.</summary>
    internal LoopSettings Loop => LoopSettings(EvalEvery);

    public override IEnumerable<OptionProblem> Validate()
    {
        var loss = Loss.ToLossOptions();
        if (loss.Validate().Count == 0 && loss.IsReferenceFree)
        {
            if (Reference is not null)
            {
                yield return new("reference", $"loss {string.Join("+", Loss.Type)} is reference-free; remove 'reference'");
            }

            if (LiveReference)
            {
                yield return new("live_reference", $"loss {string.Join("+", Loss.Type)} is reference-free; remove 'live_reference'");
            }
        }

        foreach (var problem in base.Validate())
        {
            yield return problem;
        }
    }
}
