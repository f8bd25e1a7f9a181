using AlignmentPipeline.Evaluation.Statistics;

namespace AlignmentPipeline.Evaluation.Agreement;

/// <summary>
/// Agreement of a judge with human labels. Both sides are expressed as <see cref="Verdict"/> about the first response
/// of a pair: <see cref="Verdict.Win"/> = first better, <see cref="Verdict.Loss"/> = second better, <see cref="Verdict.Tie"/>.
/// Cohen's kappa: κ = (p_o − p_e) / (1 − p_e), p_o the observed agreement, p_e = Σ_k p_judge(k)·p_human(k) (Cohen 1960).
/// The agreement intervals are percentile bootstrap intervals of the mean of the per-pair 0/1 agreement.
/// </summary>
public static class JudgeAgreement
{
    /// <summary>Accuracy with its bootstrap interval and Cohen's kappa, with ties as a third label and with tie pairs excluded.</summary>
    /// <param name="pairs">Judge verdict and human label per pair; an invalid judge verdict is excluded and counted.</param>
    /// <param name="bootstrap">Bootstrap settings of the intervals; null means 2000 resamples, seed 0, 95 %.</param>
    /// <exception cref="ArgumentException">A human label is <see cref="Verdict.Invalid"/>, or no judge verdict is valid.</exception>
    public static AgreementSummary Compute(IReadOnlyList<(Verdict Judge, Verdict Human)> pairs, BootstrapOptions? bootstrap = null)
    {
        bootstrap ??= new BootstrapOptions();
        if (pairs.Any(p => p.Human == Verdict.Invalid))
            throw new ArgumentException("human labels must be Win, Loss or Tie; drop unlabelled pairs before comparing", nameof(pairs));
        var valid = pairs.Where(p => p.Judge != Verdict.Invalid).ToList();
        if (valid.Count == 0)
            throw new ArgumentException($"none of the {pairs.Count} judge verdicts is valid, so there is nothing to compare", nameof(pairs));
        var withoutTies = valid.Where(p => p.Judge != Verdict.Tie && p.Human != Verdict.Tie).ToList();
        var (low, high) = PercentileBootstrap.MeanInterval(Agreements(valid), bootstrap);
        (double? Low, double? High) withoutTiesInterval = withoutTies.Count == 0 ? (null, null) : PercentileBootstrap.MeanInterval(Agreements(withoutTies), bootstrap);

        return new AgreementSummary(
            Items: pairs.Count,
            Invalid: pairs.Count - valid.Count,
            N: valid.Count,
            Accuracy: ObservedAgreement(valid),
            AccuracyCiLow: low,
            AccuracyCiHigh: high,
            CohenKappa: Kappa(valid),
            NExcludingTies: withoutTies.Count,
            AccuracyExcludingTies: withoutTies.Count == 0 ? null : ObservedAgreement(withoutTies),
            AccuracyExcludingTiesCiLow: withoutTiesInterval.Low,
            AccuracyExcludingTiesCiHigh: withoutTiesInterval.High,
            CohenKappaExcludingTies: withoutTies.Count == 0 ? null : Kappa(withoutTies),
            Human: Counts(valid.Select(p => p.Human)),
            Judge: Counts(valid.Select(p => p.Judge)));
    }

    private static List<double> Agreements(List<(Verdict Judge, Verdict Human)> pairs) =>
        pairs.Select(p => p.Judge == p.Human ? 1.0 : 0.0).ToList();

    private static double ObservedAgreement(List<(Verdict Judge, Verdict Human)> pairs) =>
        (double)pairs.Count(p => p.Judge == p.Human) / pairs.Count;

    private static double? Kappa(List<(Verdict Judge, Verdict Human)> pairs)
    {
        double n = pairs.Count;
        var chance = new[] { Verdict.Win, Verdict.Loss, Verdict.Tie }
            .Sum(label => pairs.Count(p => p.Judge == label) / n * (pairs.Count(p => p.Human == label) / n));
        return chance >= 1 ? null : (ObservedAgreement(pairs) - chance) / (1 - chance);
    }

    private static LabelCounts Counts(IEnumerable<Verdict> labels)
    {
        var all = labels.ToList();
        return new LabelCounts(all.Count(l => l == Verdict.Win), all.Count(l => l == Verdict.Loss), all.Count(l => l == Verdict.Tie));
    }
}
