using System.ComponentModel;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Training.Losses;

namespace AlignmentPipeline.Training.Stages;

/// <summary>
/// The preference objective of a <c>dpo</c> stage (YAML <c>loss:</c>), e.g. <c>{type: sigmoid, beta: 0.1}</c> or
/// RPO as <c>{type: [sigmoid, sft], weights: [1, 0.5]}</c>. Names and defaults follow TRL; see
/// <see cref="PreferenceLossOptions"/> for the meaning of each.
/// </summary>
public sealed record DpoLossOptions : IValidatableOptions
{
    [Description("Loss type or list of types to sum (TRL loss_type): sigmoid, robust, ipo, hinge, bco_pair, apo_zero, " +
                 "sppo_hard, nca_pair, sft, simpo, orpo. Default: sigmoid.")]
    public IReadOnlyList<string> Type { get; init; } = ["sigmoid"];

    [Description("One weight per loss type (TRL loss_weights). Default: 1 each.")]
    public IReadOnlyList<double>? Weights { get; init; }

    [Description("β, the inverse temperature of the implicit reward (IPO: τ; SimPO: reward scale). Default: 0.1.")]
    public double Beta { get; init; } = 0.1;

    [Description("Assumed rate of flipped labels in [0, 0.5), for sigmoid (cDPO), robust and simpo. Default: 0.")]
    public double LabelSmoothing { get; init; }

    [Description("SimPO target margin γ ≥ 0. Default: 0.5.")]
    public double SimpoGamma { get; init; } = 0.5;

    [Description("ORPO weight λ > 0 of the odds-ratio term. Default: 0.1.")]
    public double OrpoLambda { get; init; } = 0.1;

    /// <summary>The loss library's options for these values.</summary>
    internal PreferenceLossOptions ToLossOptions() => new()
    {
        Types = Type,
        Weights = Weights,
        Beta = Beta,
        LabelSmoothing = LabelSmoothing,
        SimpoGamma = SimpoGamma,
        OrpoLambda = OrpoLambda,
    };

    public IEnumerable<Core.Configuration.OptionProblem> Validate() =>
        ToLossOptions().Validate().Select(p => new Core.Configuration.OptionProblem(p.Key, p.Message));
}
