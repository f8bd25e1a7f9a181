namespace AlignmentPipeline.Evaluation.Agreement;

/// <summary>How well a judge's verdicts agree with human labels on the same pairs.</summary>
/// <param name="Items">Pairs offered.</param>
/// <param name="Invalid">Pairs the judge gave no usable verdict for; excluded from every number below.</param>
/// <param name="N">Pairs compared (Items − Invalid).</param>
/// <param name="Accuracy">Share of the N pairs where judge and human give the same label, ties included as a third label.</param>
/// <param name="AccuracyCiLow">Lower end of the seeded percentile bootstrap interval of <paramref name="Accuracy"/>.</param>
/// <param name="AccuracyCiHigh">Upper end of that interval.</param>
/// <param name="CohenKappa">Cohen's kappa over the three labels (first better, second better, tie); null when chance agreement is 1.</param>
/// <param name="NExcludingTies">Pairs where neither the judge nor the human says tie.</param>
/// <param name="AccuracyExcludingTies">Agreement over those pairs; null when there are none.</param>
/// <param name="AccuracyExcludingTiesCiLow">Lower end of the bootstrap interval of that agreement; null when there are no such pairs.</param>
/// <param name="AccuracyExcludingTiesCiHigh">Upper end of that interval; null when there are no such pairs.</param>
/// <param name="CohenKappaExcludingTies">Cohen's kappa over those pairs (two labels); null when undefined.</param>
/// <param name="Human">The human labels of the N compared pairs (their ties included).</param>
/// <param name="Judge">The judge's verdicts on the N compared pairs.</param>
public sealed record AgreementSummary(
    int Items,
    int Invalid,
    int N,
    double Accuracy,
    double AccuracyCiLow,
    double AccuracyCiHigh,
    double? CohenKappa,
    int NExcludingTies,
    double? AccuracyExcludingTies,
    double? AccuracyExcludingTiesCiLow,
    double? AccuracyExcludingTiesCiHigh,
    double? CohenKappaExcludingTies,
    LabelCounts Human,
    LabelCounts Judge);
