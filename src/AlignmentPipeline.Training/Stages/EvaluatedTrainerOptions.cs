using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using AlignmentPipeline.Training.Trainers;

namespace AlignmentPipeline.Training.Stages;

/// <summary>
/// The held-out evaluation options of the trainers that report a held-out accuracy (dpo, kto, reward-model) on top of
/// <see cref="TrainerOptions"/>: pairs held out by hash beside the input's <c>eval/</c> split, and how often they are
/// evaluated.
/// </summary>
public abstract record EvaluatedTrainerOptions : TrainerOptions
{
    [Description("Fraction of the training pairs (picked by a hash of seed and id; kto holds out both examples of a pair " +
                 "together) held out for evaluation, in addition to the input's eval/ split. Default: 0.")]
    [Range(0.0, 0.9)]
    public double EvalFraction { get; init; }

    [Description("Evaluate on the held-out pairs every this many steps (and after the last step); 0 only at the end. Default: 0.")]
    [Range(0, int.MaxValue)]
    public int EvalEvery { get; init; }

    /// <summary>The loop settings these options describe.</summary>
    internal LoopSettings Loop => LoopSettings(EvalEvery);
}
