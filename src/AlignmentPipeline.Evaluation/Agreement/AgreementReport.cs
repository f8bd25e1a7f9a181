using System.Text.Json.Nodes;
using AlignmentPipeline.Evaluation.Statistics;

namespace AlignmentPipeline.Evaluation.Agreement;

/// <summary>One judge's agreement with the human labels of one file, as <c>align eval agreement</c> prints and writes it.</summary>
/// <param name="Judge">The judge's name, e.g. <c>rule:length</c>.</param>
/// <param name="JudgeFields">The judge's settings (<see cref="Judges.IJudge.Describe"/>).</param>
/// <param name="Rows">Rows read from the file.</param>
/// <param name="Unlabelled">Rows whose annotators reach no majority; left out before judging.</param>
/// <param name="MissingResponse">Rows whose response is not a string; counted as invalid judge verdicts.</param>
/// <param name="Bootstrap">Settings of the bootstrap intervals.</param>
/// <param name="Summary">The agreement numbers over the labelled rows.</param>
public sealed record AgreementReport(
    string Judge,
    JsonObject JudgeFields,
    int Rows,
    int Unlabelled,
    int MissingResponse,
    BootstrapOptions Bootstrap,
    AgreementSummary Summary)
{
    /// <summary>The report as snake_case JSON (the <c>--output</c> file of <c>align eval agreement</c>).</summary>
    public JsonObject ToJson()
    {
        var s = Summary;
        return new JsonObject
        {
            ["judge"] = Judge,
            ["judge_fields"] = JudgeFields.DeepClone(),
            ["rows"] = Rows,
            ["unlabelled"] = Unlabelled,
            ["missing_response"] = MissingResponse,
            ["items"] = s.Items,
            ["invalid"] = s.Invalid,
            ["n"] = s.N,
            ["accuracy"] = s.Accuracy,
            ["ci_low"] = s.AccuracyCiLow,
            ["ci_high"] = s.AccuracyCiHigh,
            ["ci_level"] = Bootstrap.ConfidenceLevel,
            ["bootstrap_resamples"] = Bootstrap.Resamples,
            ["bootstrap_seed"] = Bootstrap.Seed,
            ["cohen_kappa"] = s.CohenKappa,
            ["n_excluding_ties"] = s.NExcludingTies,
            ["accuracy_excluding_ties"] = s.AccuracyExcludingTies,
            ["ci_low_excluding_ties"] = s.AccuracyExcludingTiesCiLow,
            ["ci_high_excluding_ties"] = s.AccuracyExcludingTiesCiHigh,
            ["cohen_kappa_excluding_ties"] = s.CohenKappaExcludingTies,
            ["human"] = Counts(s.Human),
            ["judge_labels"] = Counts(s.Judge),
        };
    }

    private static JsonObject Counts(LabelCounts counts) =>
        new() { ["first_better"] = counts.First, ["second_better"] = counts.Second, ["tie"] = counts.Tie };
}
