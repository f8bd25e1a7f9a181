using AlignmentPipeline.Evaluation.Agreement;
using AlignmentPipeline.Evaluation.Judges;
using AlignmentPipeline.Evaluation.Judges.Rules;
using AlignmentPipeline.Evaluation.Statistics;
using AlignmentPipeline.TestSupport;

namespace AlignmentPipeline.Evaluation.Tests.Agreement;

public sealed class JudgeAgreementTests
{
    private static IEnumerable<(Verdict, Verdict)> Repeat(Verdict judge, Verdict human, int count) => Enumerable.Repeat((judge, human), count);

    [Fact]
    public void Accuracy_and_kappa_match_a_hand_computation()
    {
        // Worked example, 10 valid pairs + 1 invalid. (judge, human): (W,W)×4, (L,L)×2, (W,L)×1, (L,W)×1, (T,T)×1, (W,T)×1.
        // Accuracy = 7/10. Judge marginals W .6, L .3, T .1; human W .5, L .3, T .2.
        // p_e = .6·.5 + .3·.3 + .1·.2 = .41; kappa = (.7 − .41) / (1 − .41) = .29 / .59.
        // Without ties (8 pairs): agreement 6/8; judge W 5/8, L 3/8; human W 5/8, L 3/8;
        // p_e = 25/64 + 9/64 = 34/64; kappa = (48/64 − 34/64) / (30/64) = 14/30.
        var pairs = Repeat(Verdict.Win, Verdict.Win, 4).Concat(Repeat(Verdict.Loss, Verdict.Loss, 2))
            .Append((Verdict.Win, Verdict.Loss)).Append((Verdict.Loss, Verdict.Win))
            .Append((Verdict.Tie, Verdict.Tie)).Append((Verdict.Win, Verdict.Tie))
            .Append((Verdict.Invalid, Verdict.Win)).ToList();

        var summary = JudgeAgreement.Compute(pairs);

        Assert.Equal((11, 1, 10, 8), (summary.Items, summary.Invalid, summary.N, summary.NExcludingTies));
        Assert.Equal(0.7, summary.Accuracy, 12);
        Assert.Equal(0.29 / 0.59, summary.CohenKappa!.Value, 12);
        Assert.Equal(0.75, summary.AccuracyExcludingTies!.Value, 12);
        Assert.Equal(14.0 / 30, summary.CohenKappaExcludingTies!.Value, 12);
    }

    [Fact]
    public void Perfect_agreement_has_kappa_one_and_a_constant_judge_kappa_zero()
    {
        var humans = new[] { Verdict.Win, Verdict.Loss, Verdict.Tie, Verdict.Win, Verdict.Loss };

        var perfect = JudgeAgreement.Compute(humans.Select(h => (h, h)).ToList());
        var constant = JudgeAgreement.Compute(humans.Select(h => (Verdict.Win, h)).ToList());

        Assert.Equal((1.0, 1.0), (perfect.Accuracy, perfect.CohenKappa!.Value));
        Assert.Equal((0.4, 0.0), (constant.Accuracy, constant.CohenKappa!.Value));
    }

    [Fact]
    public async Task The_longer_response_judge_agrees_with_PandaLM_annotators_as_an_independent_count_says()
    {
        // Expected numbers from a separate Python count over the same file (majority of three annotators; lengths in
        // UTF-16 code units as C# counts them; the six rows with a boolean response are invalid):
        // n = 993, accuracy 0.6143001007049346, kappa 0.30973205583576696; without ties n = 881,
        // accuracy 0.6799091940976163, kappa 0.35895530475438503.
        var rows = HumanLabelledPairs.Load(SharedData.RequireFile("preferences/pandalm-testset/testset-v1.json"));

        var report = await AgreementEvaluation.RunAsync(new RuleJudge(new LengthScorer()), rows, cancellationToken: TestContext.Current.CancellationToken);

        var summary = report.Summary;
        TestContext.Current.SendDiagnosticMessage(
            $"PandaLM, longer-response judge: n={summary.N} invalid={summary.Invalid} accuracy={summary.Accuracy:F4} " +
            $"[{summary.AccuracyCiLow:F4}, {summary.AccuracyCiHigh:F4}] kappa={summary.CohenKappa:F4}; without ties " +
            $"n={summary.NExcludingTies} accuracy={summary.AccuracyExcludingTies:F4} kappa={summary.CohenKappaExcludingTies:F4}");
        Assert.Equal((999, 0, 6), (report.Rows, report.Unlabelled, report.MissingResponse));
        Assert.Equal((999, 6, 993, 881), (summary.Items, summary.Invalid, summary.N, summary.NExcludingTies));
        Assert.Equal(0.6143001007049346, summary.Accuracy, 12);
        Assert.Equal(0.30973205583576696, summary.CohenKappa!.Value, 12);
        Assert.Equal(0.6799091940976163, summary.AccuracyExcludingTies!.Value, 12);
        Assert.Equal(0.35895530475438503, summary.CohenKappaExcludingTies!.Value, 12);
        // The same Python count: over the 993 valid rows humans say 1st 418, 2nd 470, tie 105; the longer response is
        // the 1st 482 times, the 2nd 493 times, and 18 pairs have equal lengths.
        Assert.Equal(new LabelCounts(418, 470, 105), summary.Human);
        Assert.Equal(new LabelCounts(482, 493, 18), summary.Judge);
        // Normal-approximation half-width 1.96·sqrt(p(1 − p)/n) = 0.0303 for p = 0.614, n = 993; the bootstrap agrees within 0.005.
        Assert.Equal(0.0303, (summary.AccuracyCiHigh - summary.AccuracyCiLow) / 2, 0.005);
    }
}
