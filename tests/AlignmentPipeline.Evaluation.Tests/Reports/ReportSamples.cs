using System.Text.Json.Nodes;
using AlignmentPipeline.Evaluation.Reports;
using AlignmentPipeline.Evaluation.Statistics;

namespace AlignmentPipeline.Evaluation.Tests.Reports;

internal static class ReportSamples
{
    public static EvaluationReport Report(double winRate, double ciLow, double ciHigh, double? lc = 0.55, string judge = "rule:length") => new(
        judge,
        "dpo-step-300",
        "sft",
        new WinRateSummary(N: 100, Wins: 50, Losses: 30, Ties: 20, Invalid: 3, winRate, StandardError: 0.045, ciLow, ciHigh, lc, 180.34, 150.5),
        CiLevel: 0.95,
        BootstrapResamples: 2000,
        BootstrapSeed: 0,
        new JsonObject { ["type"] = "rule", ["scorer"] = "length", ["tie_margin"] = 0.0 });
}
