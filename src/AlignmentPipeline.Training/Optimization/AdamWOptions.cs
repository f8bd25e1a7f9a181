using System.ComponentModel;
using AlignmentPipeline.Core.Configuration;

namespace AlignmentPipeline.Training.Optimization;

/// <summary>AdamW hyper-parameters (YAML <c>optimizer:</c>), with PyTorch's and Hugging Face's defaults.</summary>
public sealed record AdamWOptions : IValidatableOptions
{
    /// <summary><c>beta1</c>: decay of the first-moment average, in [0, 1), default 0.9.</summary>
    [Description("First-moment decay β₁ in [0, 1), default 0.9.")]
    public double Beta1 { get; init; } = 0.9;

    /// <summary><c>beta2</c>: decay of the second-moment average, in [0, 1), default 0.999.</summary>
    [Description("Second-moment decay β₂ in [0, 1), default 0.999.")]
    public double Beta2 { get; init; } = 0.999;

    /// <summary><c>epsilon</c>: added to the denominator for stability, &gt; 0, default 1e-8.</summary>
    [Description("Denominator stabiliser ε > 0, default 1e-8.")]
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>
    /// <c>weight_decay</c>: decoupled decay λ ≥ 0 applied as p ← p·(1 − lr·λ) to matrices only (biases, norm gains and
    /// other 1-d parameters are never decayed), default 0 as in Hugging Face <c>TrainingArguments</c>.
    /// </summary>
    [Description("Decoupled weight decay λ ≥ 0 on matrices only, default 0.")]
    public double WeightDecay { get; init; }

    /// <summary>Every problem with these options, all at once; empty when they are usable.</summary>
    public IReadOnlyList<OptionProblem> Validate()
    {
        var problems = new List<OptionProblem>();
        if (!(Beta1 >= 0 && Beta1 < 1))
        {
            problems.Add(new("beta1", $"must be in [0, 1) (got {Beta1}); the usual value is 0.9."));
        }
        if (!(Beta2 >= 0 && Beta2 < 1))
        {
            problems.Add(new("beta2", $"must be in [0, 1) (got {Beta2}); the usual values are 0.95–0.999."));
        }
        if (!double.IsFinite(Epsilon) || Epsilon <= 0)
        {
            problems.Add(new("epsilon", $"must be a finite number > 0 (got {Epsilon}); the usual value is 1e-8."));
        }
        if (!double.IsFinite(WeightDecay) || WeightDecay < 0)
        {
            problems.Add(new("weight_decay", $"must be a finite number ≥ 0 (got {WeightDecay}); 0–0.1 is usual."));
        }
        return problems;
    }

    /// <inheritdoc />
    IEnumerable<OptionProblem> IValidatableOptions.Validate() => Validate();
}
