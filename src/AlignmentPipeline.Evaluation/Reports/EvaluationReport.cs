using System.Text.Json.Nodes;
using AlignmentPipeline.Evaluation.Judges;
using AlignmentPipeline.Evaluation.Statistics;

namespace AlignmentPipeline.Evaluation.Reports;

/// <summary>The content of <c>report.json</c>; see docs/report-schema.md for each field's meaning.</summary>
/// <param name="Judge">Judge name, e.g. <c>llm:gpt-4o-mini</c> or <c>rule:lexicon-sentiment</c>.</param>
/// <param name="Candidate">Name of the evaluated model or run.</param>
/// <param name="Baseline">Name of the model it is compared with.</param>
/// <param name="Summary">Counts, rates, interval and mean lengths.</param>
/// <param name="CiLevel">Coverage of the bootstrap interval, e.g. 0.95.</param>
/// <param name="BootstrapResamples">Bootstrap resamples behind the interval.</param>
/// <param name="BootstrapSeed">Seed of the bootstrap.</param>
/// <param name="JudgeFields">Judge settings and counters (<see cref="IJudge.Describe"/>).</param>
public sealed record EvaluationReport(
    string Judge,
    string Candidate,
    string Baseline,
    WinRateSummary Summary,
    double CiLevel,
    int BootstrapResamples,
    int BootstrapSeed,
    JsonObject JudgeFields)
{
    /// <summary>Version of the report.json layout; bumped when a field changes meaning or disappears.</summary>
    public const int SchemaVersion = 1;

    /// <summary>Builds a report from a summary and the bootstrap settings that produced its interval.</summary>
    public static EvaluationReport Create(
        string judge, string candidate, string baseline, WinRateSummary summary, BootstrapOptions bootstrap, JsonObject judgeFields) =>
        new(judge, candidate, baseline, summary, bootstrap.ConfidenceLevel, bootstrap.Resamples, bootstrap.Seed, judgeFields);

    /// <summary>Summarizes judged items and records the judge's name and fields: what the evaluate stage calls.</summary>
    /// <param name="judge">The judge that produced <paramref name="items"/>; its <see cref="IJudge.Describe"/> becomes judge_fields.</param>
    /// <param name="candidate">Name of the evaluated model.</param>
    /// <param name="baseline">Name of the baseline model.</param>
    /// <param name="items">Judged items.</param>
    /// <param name="bootstrap">Bootstrap settings; null means 2000 resamples, seed 0, 95 %.</param>
    public static EvaluationReport FromJudgedItems(
        IJudge judge, string candidate, string baseline, IReadOnlyList<JudgedItem> items, BootstrapOptions? bootstrap = null)
    {
        bootstrap ??= new BootstrapOptions();
        var summary = WinRateStatistics.Summarize(items.Select(item => item.ToJudgment()).ToList(), bootstrap);
        return Create(judge.Name, candidate, baseline, summary, bootstrap, judge.Describe());
    }
}
