using System.ComponentModel;
using AlignmentPipeline.Core.Configuration;

namespace AlignmentPipeline.Training.Stages;

/// <summary>
/// Options of <c>kind: dpo</c>: preference optimisation of a policy against reference log-probs read from a
/// <c>ref-logprobs</c> input stage. The reference model is never loaded unless <c>live_reference</c> is true. The model,
/// reference and evaluation options are <see cref="ReferenceTrainerOptions"/>; the loop, runtime and LoRA options the
/// shared <see cref="TrainerOptions"/>.
/// </summary>
public sealed record DpoOptions : ReferenceTrainerOptions
{
    /// <summary>DPO's defaults where they differ from the shared ones: learning_rate 5e-7.</summary>
    public DpoOptions()
    {
        LearningRate = 5e-7;
    }

    [Description("The preference objective, e.g. {type: sigmoid, beta: 0.1}. Default: sigmoid with β 0.1.")]
    public DpoLossOptions Loss { get; init; } = new();

    [Description("Load the reference model and compute its log-probs during training instead of reading a cache. Only for " +
                 "benchmarks and for inputs without a cache; it doubles the forward work. Default: false.")]
    public bool LiveReference { get; init; }

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
