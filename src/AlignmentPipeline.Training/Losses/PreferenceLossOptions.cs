using System.ComponentModel;
using AlignmentPipeline.Core.Configuration;

namespace AlignmentPipeline.Training.Losses;

/// <summary>
/// Options of the preference objective of a DPO-family training stage (YAML <c>loss:</c>), named as in TRL's
/// <c>DPOConfig</c>/<c>CPOConfig</c>/<c>ORPOConfig</c>. Call <see cref="Validate"/> before use.
/// </summary>
public sealed record PreferenceLossOptions : IValidatableOptions
{
    /// <summary>
    /// <c>type</c>: the loss or losses to sum (TRL <c>loss_type</c>), default <c>[sigmoid]</c>. Known: sigmoid, robust,
    /// ipo, hinge, bco_pair, apo_zero, sppo_hard, nca_pair, sft, simpo, orpo. RPO is <c>[sigmoid, sft]</c> with the
    /// NLL weight α.
    /// </summary>
    [YamlKey("type")]
    [Description("Loss type or list of types to sum (TRL loss_type), default sigmoid.")]
    public IReadOnlyList<string> Types { get; init; } = ["sigmoid"];

    /// <summary><c>weights</c>: one weight per loss type (TRL <c>loss_weights</c>); null (default) weighs each by 1.</summary>
    [Description("One weight per loss type (TRL loss_weights), default 1 each.")]
    public IReadOnlyList<double>? Weights { get; init; }

    /// <summary>
    /// <c>beta</c>: β, default 0.1. The inverse temperature of the implicit reward β·log(π/π_ref): higher keeps the
    /// policy closer to the reference. For IPO it is the regulariser τ, for SimPO the reward scale.
    /// </summary>
    [Description("Inverse temperature β of the implicit reward, > 0, default 0.1.")]
    public double Beta { get; init; } = 0.1;

    /// <summary>
    /// <c>label_smoothing</c>: ε in [0, 0.5), default 0. The assumed probability that a preference label is flipped;
    /// used by sigmoid (conservative DPO), robust and simpo only.
    /// </summary>
    [Description("Assumed rate ε of flipped labels, in [0, 0.5), default 0 (sigmoid, robust, simpo only).")]
    public double LabelSmoothing { get; init; }

    /// <summary><c>simpo_gamma</c>: SimPO's target reward margin γ ≥ 0, default 0.5 (TRL's default).</summary>
    [Description("SimPO target reward margin γ ≥ 0, default 0.5.")]
    public double SimpoGamma { get; init; } = 0.5;

    /// <summary><c>orpo_lambda</c>: ORPO's weight λ &gt; 0 of the odds-ratio term, default 0.1 (TRL's <c>beta</c> default).</summary>
    [Description("ORPO odds-ratio weight λ > 0, default 0.1.")]
    public double OrpoLambda { get; init; } = 0.1;

    /// <summary>True when some configured loss reads reference log-probs (a reference model or cache is needed).</summary>
    public bool RequiresReference =>
        Types.Any(t => PreferenceLossRegistry.Find(t)?.RequiresReference ?? false);

    /// <summary>
    /// True when no configured loss reads reference log-probs (SimPO, ORPO, SFT alone): a stage should refuse a
    /// reference log-prob cache as input rather than silently ignore it.
    /// </summary>
    public bool IsReferenceFree => !RequiresReference;

    /// <summary>Every problem with these options, all at once; empty when they are usable.</summary>
    public IReadOnlyList<OptionProblem> Validate()
    {
        var problems = new List<OptionProblem>();
        ValidateTypes(problems);
        ValidateWeights(problems);
        if (!double.IsFinite(Beta) || Beta <= 0)
        {
            problems.Add(new("beta", $"must be a finite number > 0 (got {Beta}); typical values are 0.01–0.5, TRL's default is 0.1."));
        }
        if (!double.IsFinite(LabelSmoothing) || LabelSmoothing < 0 || LabelSmoothing >= 0.5)
        {
            problems.Add(new("label_smoothing", $"must be in [0, 0.5) (got {LabelSmoothing}); it is the assumed rate of flipped labels."));
        }
        else if (LabelSmoothing > 0)
        {
            foreach (var ignoring in Types.Where(t => PreferenceLossRegistry.Find(t) is { UsesLabelSmoothing: false }))
            {
                problems.Add(new("label_smoothing",
                    $"the '{ignoring}' loss does not use label smoothing (got {LabelSmoothing}); set it to 0, " +
                    "or use 'sigmoid' (conservative DPO) or 'robust' for noisy labels."));
            }
        }
        if (!double.IsFinite(SimpoGamma) || SimpoGamma < 0)
        {
            problems.Add(new("simpo_gamma", $"must be a finite number ≥ 0 (got {SimpoGamma}); the SimPO paper uses 0.5–1.6."));
        }
        if (!double.IsFinite(OrpoLambda) || OrpoLambda <= 0)
        {
            problems.Add(new("orpo_lambda", $"must be a finite number > 0 (got {OrpoLambda}); the ORPO paper uses 0.1–1."));
        }
        return problems;
    }

    /// <inheritdoc />
    IEnumerable<OptionProblem> IValidatableOptions.Validate() => Validate();

    private void ValidateTypes(List<OptionProblem> problems)
    {
        if (Types.Count == 0)
        {
            problems.Add(new("type", "needs at least one loss type, e.g. 'sigmoid'."));
            return;
        }
        foreach (var unknown in Types.Where(t => PreferenceLossRegistry.Find(t) is null))
        {
            var known = PreferenceLossRegistry.All.Select(d => d.Name).ToArray();
            var suggestion = known.MinBy(k => EditDistance(k, unknown.ToLowerInvariant()));
            problems.Add(new("type", $"unknown loss type '{unknown}'; did you mean '{suggestion}'? Known: {string.Join(", ", known)}."));
        }
        foreach (var duplicate in Types.GroupBy(t => t).Where(g => g.Count() > 1))
        {
            problems.Add(new("type", $"'{duplicate.Key}' is listed {duplicate.Count()} times; list it once and set its weight instead."));
        }
        var descriptors = Types.Select(PreferenceLossRegistry.Find).OfType<PreferenceLossDescriptor>().ToArray();
        var referenceFree = descriptors.Where(d => d.Name is "simpo" or "orpo").Select(d => d.Name).ToArray();
        var referenceBased = descriptors.Where(d => d.RequiresReference).Select(d => d.Name).ToArray();
        if (referenceFree.Length > 0 && referenceBased.Length > 0)
        {
            problems.Add(new("type",
                $"reference-free {string.Join(", ", referenceFree)} cannot be combined with reference-based " +
                $"{string.Join(", ", referenceBased)}: their rewards measure different things. Train them in separate stages."));
        }
    }

    private void ValidateWeights(List<OptionProblem> problems)
    {
        if (Weights is null)
        {
            return;
        }
        if (Weights.Count != Types.Count)
        {
            problems.Add(new("weights", $"has {Weights.Count} entries but type has {Types.Count}; give one weight per loss type, in the same order."));
        }
        for (var i = 0; i < Weights.Count; i++)
        {
            if (!double.IsFinite(Weights[i]) || Weights[i] < 0)
            {
                problems.Add(new("weights", $"entry {i} must be a finite number ≥ 0 (got {Weights[i]})."));
            }
        }
        if (Weights.Count > 0 && Weights.All(w => w == 0))
        {
            problems.Add(new("weights", "are all 0, so nothing would be trained; give at least one loss a positive weight."));
        }
    }

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            previous = current;
        }
        return previous[b.Length];
    }
}
