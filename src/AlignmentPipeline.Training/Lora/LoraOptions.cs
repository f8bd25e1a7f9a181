using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using AlignmentPipeline.Core.Configuration;

namespace AlignmentPipeline.Training.Lora;

/// <summary>
/// Low-rank adapters (YAML <c>lora:</c> of sft and dpo; Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language
/// Models", eq. 3): each targeted projection computes W₀x + (α/r)·B·A·x with W₀ frozen, A (r × in) Kaiming-uniform and
/// B (out × r) zero, so training starts exactly at the base model. Names and defaults follow PEFT's <c>LoraConfig</c>.
/// </summary>
public sealed record LoraOptions : IValidatableOptions
{
    [Description("Rank r of the update B·A. Default: 8.")]
    [Range(1, 65536)]
    public int Rank { get; init; } = 8;

    [Description("α: the update is scaled by α / r, so the learning rate need not change with the rank. Default: 16.")]
    public double Alpha { get; init; } = 16;

    [Description("Dropout probability on the adapter's input (training only). Default: 0.")]
    [Range(0.0, 0.99)]
    public double Dropout { get; init; }

    [Description("Projections of the transformer blocks to adapt, by the last part of their name as in PEFT: q_proj, k_proj, " +
                 "v_proj, o_proj, gate_proj, up_proj, down_proj for the Llama family; c_attn, c_proj (attention output and MLP " +
                 "output), c_fc for GPT-2. Default: PEFT's choice for the architecture, [q_proj, v_proj] (as in the paper) or [c_attn].")]
    public IReadOnlyList<string>? TargetModules { get; init; }

    /// <summary>α / r, the factor of B·A.</summary>
    public double Scaling => Alpha / Rank;

    public IEnumerable<OptionProblem> Validate()
    {
        if (!double.IsFinite(Alpha) || Alpha <= 0)
        {
            yield return new("alpha", $"must be a number > 0 (got {Alpha}); twice the rank is usual");
        }

        if (TargetModules is { Count: 0 })
        {
            yield return new("target_modules", "name at least one layer, e.g. [q_proj, v_proj]");
        }
    }
}
