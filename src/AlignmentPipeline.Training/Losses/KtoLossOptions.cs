using System.ComponentModel;
using AlignmentPipeline.Core.Configuration;

namespace AlignmentPipeline.Training.Losses;

/// <summary>Options of the KTO loss (YAML <c>loss:</c> of a KTO stage), named as in TRL's <c>KTOConfig</c>.</summary>
public sealed record KtoLossOptions : IValidatableOptions
{
    /// <summary><c>beta</c>: β &gt; 0, default 0.1; scales the implicit reward β·log(π/π_ref).</summary>
    [Description("Inverse temperature β of the implicit reward, > 0, default 0.1.")]
    public double Beta { get; init; } = 0.1;

    /// <summary><c>desirable_weight</c>: λ_D &gt; 0, default 1; weight of the losses of desirable examples.</summary>
    [Description("Weight of desirable examples' losses, > 0, default 1.")]
    public double DesirableWeight { get; init; } = 1.0;

    /// <summary><c>undesirable_weight</c>: λ_U &gt; 0, default 1; weight of the losses of undesirable examples.</summary>
    [Description("Weight of undesirable examples' losses, > 0, default 1.")]
    public double UndesirableWeight { get; init; } = 1.0;

    /// <summary>Every problem with these options, all at once; empty when they are usable.</summary>
    public IReadOnlyList<OptionProblem> Validate()
    {
        var problems = new List<OptionProblem>();
        if (!double.IsFinite(Beta) || Beta <= 0)
        {
            problems.Add(new("beta", $"must be a finite number > 0 (got {Beta}); TRL's default is 0.1."));
        }
        if (!double.IsFinite(DesirableWeight) || DesirableWeight <= 0)
        {
            problems.Add(new("desirable_weight", $"must be a finite number > 0 (got {DesirableWeight})."));
        }
        if (!double.IsFinite(UndesirableWeight) || UndesirableWeight <= 0)
        {
            problems.Add(new("undesirable_weight", $"must be a finite number > 0 (got {UndesirableWeight})."));
        }
        return problems;
    }

    /// <inheritdoc />
    IEnumerable<OptionProblem> IValidatableOptions.Validate() => Validate();
}
