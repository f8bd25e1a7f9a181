using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Training.Stages;
using AlignmentPipeline.Training.Trainers;

namespace AlignmentPipeline.Training.RewardModel;

/// <summary>
/// Options of <c>kind: reward-model</c>: a Bradley–Terry reward model (the <c>init</c> model with a scalar head) trained
/// on the <c>train/</c> pairs of its input and evaluated on its <c>eval/</c> pairs and any <c>eval_fraction</c>. The
/// loop, runtime, LoRA and held-out options are the shared <see cref="EvaluatedTrainerOptions"/> (with LoRA the head is
/// trained in full).
/// </summary>
public sealed record RewardModelOptions : EvaluatedTrainerOptions
{
    /// <summary>The reward model's defaults where they differ from the shared ones: learning_rate 1e-5 (TRL's RewardConfig).</summary>
    public RewardModelOptions()
    {
        LearningRate = 1e-5;
    }

    [Description("The backbone: a stage that publishes model/ (e.g. an sft stage) or a model path (HF folder, .safetensors, " +
                 ".gguf, llama2.c .bin). A new score head (N(0, 0.02²), seeded) reads its last hidden state; its lm_head is kept as is.")]
    [Required]
    [PathOrStage]
    public string? Init { get; init; }

    [Description("'byte' or a tokenizer file or folder. Default: the tokenizer in the init model's folder.")]
    public string? Tokenizer { get; init; }

    [Description("TRL's center_rewards_coefficient λ: adds λ·(r_chosen + r_rejected)² per pair, pulling rewards towards mean 0 " +
                 "(Eisenstein et al. 2023). Default: 0 (off).")]
    [Range(0.0, 1e6)]
    public double CenterRewardsCoefficient { get; init; }

    [Description("A numeric field of each pair's metadata holding its margin m, as TRL's 'margin' column: the loss becomes " +
                 "−log σ(r_chosen − r_rejected − m) (Llama 2, eq. 2). A pair without the field is an error. Default: none (m = 0).")]
    public string? MarginKey { get; init; }

    public override IEnumerable<OptionProblem> Validate()
    {
        if (MarginKey is { Length: 0 })
        {
            yield return new("margin_key", "name a numeric metadata field, or remove the key");
        }

        foreach (var problem in base.Validate())
        {
            yield return problem;
        }
    }
}
