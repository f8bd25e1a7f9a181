namespace AlignmentPipeline.Evaluation.Agreement;

/// <summary>How well a judge's verdicts agree with human labels on the same pairs.</summary>
/// <param name="Items">Pairs offered.</param>
/// <param name="Invalid">Pairs the judge gave no usable verdict for; excluded from every number below.</param>
/// <param name="N">Pairs compared (Items − Invalid).</param>
/// <param name="Accuracy">Share of the N pairs where judge and human give the same label, ties included as a third label.</param>
/// <param name="CohenKappa">Cohen's kappa over the three labels (first better, second better, tie); null when chance agreement is 1.</param>
/// <param name="NExcludingTies">Pairs where neither the judge nor the human says tie.</param>
/// <param name="AccuracyExcludingTies">Agreement over those pairs; null when there are none.</param>
/// <param name="CohenKappaExcludingTies">Cohen's kappa over those pairs (two labels); null when undefined.</param>
public sealed record AgreementSummary(
    int Items,
    int Invalid,
    int N,
    double Accuracy,
    double? CohenKappa,
    int NExcludingTies,
    double? AccuracyExcludingTies,
    double? CohenKappaExcludingTies);
