using System.ComponentModel;
using AlignmentPipeline.Training.Losses;

namespace AlignmentPipeline.Training.Stages;

/// <summary>
/// Options of <c>kind: kto</c>: KTO (Ethayarajh et al. 2024) of a policy against reference log-probs read from a
/// <c>ref-logprobs</c> input computed with <c>kto_mismatched: true</c>. The reference model is never loaded. The model,
/// reference and evaluation options are <see cref="ReferenceTrainerOptions"/>; the loop, runtime and LoRA options the
/// shared <see cref="TrainerOptions"/>; <c>batch_size</c> counts unpaired examples, each
/// forwarded with its mismatched KL completion, and <c>max_length</c> bounds those KL sequences too.
/// </summary>
public sealed record KtoOptions : ReferenceTrainerOptions
{
    /// <summary>KTO's defaults where they differ from the shared ones: learning_rate 1e-6 (TRL's KTOConfig).</summary>
    public KtoOptions()
    {
        LearningRate = 1e-6;
    }

    [Description("The KTO objective as TRL's KTOConfig names it: {beta, desirable_weight, undesirable_weight}. Default: 0.1, 1, 1.")]
    public KtoLossOptions Loss { get; init; } = new();
}
