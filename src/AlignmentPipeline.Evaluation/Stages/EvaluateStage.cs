using System.Text.Json.Nodes;
using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Data.Tables;
using AlignmentPipeline.Evaluation.Judges;
using AlignmentPipeline.Evaluation.Judges.Llm;
using AlignmentPipeline.Evaluation.Judges.RewardModel;
using AlignmentPipeline.Evaluation.Judges.Rules;
using AlignmentPipeline.Evaluation.Reports;
using AlignmentPipeline.Evaluation.Statistics;
using AlignmentPipeline.Modeling;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Modeling.Stages;

namespace AlignmentPipeline.Evaluation.Stages;

/// <summary>
/// <c>kind: evaluate</c>: judges a candidate against a baseline and writes <c>report.json</c>, <c>report.md</c>, the
/// plots and <c>judgments.jsonl</c> (see docs/report-schema.md), plus <c>judgments.parquet</c> (<see cref="JudgmentTable"/>).
/// A rule or llm judge compares two models' responses of a <c>generate</c> input, matched by prompt id; an
/// implicit_reward judge scores the pairs of a <c>ref-logprobs</c> input (<see cref="ImplicitRewardEvaluation"/>).
/// stats.json carries the headline numbers; the manifest metadata names the report file.
/// </summary>
public sealed class EvaluateStage(EvaluateOptions options) : IStage
{
    /// <summary>The registered kind.</summary>
    public static StageKind Kind { get; } = StageKind.Define<EvaluateOptions>(
        "evaluate", 1, "Judges a candidate against a baseline (rule, llm, implicit_reward or reward_model) and writes report.json, report.md and plots.",
        InputArity.One, o => new EvaluateStage(o));

    /// <summary>The published verdict cache of an llm judge without a configured cache path.</summary>
    public const string LlmCacheFile = "llm_judge_cache.jsonl";

    public int TaskCount(IReadOnlyList<StageOutput> inputs) => 1;

    public async Task<TaskResult> RunTaskAsync(TaskContext context, CancellationToken cancellationToken = default)
    {
        var stage = context.Stage;
        var input = stage.Inputs[0];
        var bootstrap = new BootstrapOptions { Resamples = options.BootstrapResamples, Seed = options.BootstrapSeed, ConfidenceLevel = options.CiLevel };
        var dropped = new SortedDictionary<string, long>(StringComparer.Ordinal);
        IReadOnlyList<JudgedItem> items;
        EvaluationReport report;
        if (options.Judge.Type == JudgeType.ImplicitReward)
        {
            var (judged, fields) = await ImplicitRewardEvaluation.RunAsync(stage, input, options, cancellationToken);
            items = judged;
            report = EvaluationReport.Create(ImplicitRewardEvaluation.JudgeName, options.Candidate ?? options.Judge.Policy!, options.Baseline ?? "reference",
                Summarize(items, bootstrap), bootstrap, fields);
        }
        else
        {
            var (requests, missingBaseline, missingCandidate) = await PairwiseRequests.BuildAsync(stage, input, options.Candidate!, options.Baseline!, cancellationToken);
            AddCount(dropped, "missing_baseline", missingBaseline);
            AddCount(dropped, "missing_candidate", missingCandidate);
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            var cachePath = options.Judge.Cache is { } configured ? Path.GetFullPath(configured) : Path.Combine(stage.ScratchDirectory, LlmCacheFile);
            var rewardModelPath = options.Judge.RewardModel is { } rewardModel ? await ModelArtifacts.ResolveAsync(stage, rewardModel, cancellationToken) : null;
            var judge = CreateJudge(http, cachePath, rewardModelPath);
            using var ownedJudge = judge as IDisposable;
            using var progress = stage.Progress.Start($"{stage.StageName} {judge.Name}", "items", requests.Count);
            items = await JudgeRunner.JudgeAllAsync(new CountingJudge(judge, progress), requests, options.MaxParallelism, cancellationToken);
            report = EvaluationReport.Create(judge.Name, options.Candidate!, options.Baseline!, Summarize(items, bootstrap), bootstrap, judge.Describe());
            if (options.Judge.Type == JudgeType.Llm && options.Judge.Cache is null && File.Exists(cachePath))
            {
                await stage.Storage.WriteAllBytesAsync(stage.OutputPath(LlmCacheFile), await File.ReadAllBytesAsync(cachePath, cancellationToken), cancellationToken);
            }
        }

        await using (var table = await ParquetTableWriter<JudgedItem>.CreateAsync(stage.Storage, stage.OutputPath(JudgmentTable.FileName), JudgmentTable.Schema, cancellationToken: cancellationToken))
        {
            foreach (var item in items)
            {
                await table.WriteAsync(item, cancellationToken);
            }

            await table.CompleteAsync(cancellationToken);
        }

        await ReportWriter.WriteAsync(report, items, new StorageReportSink(stage), cancellationToken);
        var s = report.Summary;
        stage.Log.Info($"{stage.StageName}: {report.Candidate} vs {report.Baseline} by {report.Judge}: win rate {s.WinRate:F3} " +
                       $"[{s.CiLow:F3}, {s.CiHigh:F3}] over {s.N} items ({s.Invalid} invalid); report at {stage.Storage.Uri}/{stage.OutputPath(ReportWriter.ReportMarkdownFile)}");
        return new TaskResult(new StageCounters(items.Count + dropped.Values.Sum(), items.Count, dropped), Headline(report));
    }

    public Task<StageSummary> FinalizeAsync(StageContext context, IReadOnlyList<TaskResult> tasks, CancellationToken cancellationToken = default)
    {
        var headline = tasks[0].Extra!;
        return Task.FromResult(new StageSummary(
            StageCounters.Sum(tasks.Select(t => t.Counters)),
            (JsonObject)headline.DeepClone(),
            new JsonObject
            {
                ["report"] = ReportWriter.ReportJsonFile,
                ["judge"] = headline["judge"]!.DeepClone(),
                ["candidate"] = headline["candidate"]!.DeepClone(),
                ["baseline"] = headline["baseline"]!.DeepClone(),
            }));
    }

    private IJudge CreateJudge(HttpClient http, string cachePath, string? rewardModelPath)
    {
        var judge = options.Judge;
        try
        {
            return judge.Type switch
            {
                JudgeType.Rule => new RuleJudge(RuleScorerRegistry.CreateDefault().Create(judge.Scorer!), judge.TieMargin),
                JudgeType.Llm => new LlmJudge(judge.ToLlmOptions(cachePath), http),
                JudgeType.RewardModel => RewardModelJudge.Load(rewardModelPath!, judge.RewardModel!, judge.TieMargin, new ModelRuntimeOptions(judge.Device)),
                _ => throw new InvalidOperationException($"judge type {judge.Type} does not compare generated responses"),
            };
        }
        catch (Exception e) when (e is KeyNotFoundException or ArgumentException or ModelFormatException)
        {
            throw new UserErrorException($"judge: {e.Message}");
        }
    }

    private static WinRateSummary Summarize(IReadOnlyList<JudgedItem> items, BootstrapOptions bootstrap)
    {
        try
        {
            return WinRateStatistics.Summarize(items.Select(i => i.ToJudgment()).ToList(), bootstrap);
        }
        catch (ArgumentException e)
        {
            throw new UserErrorException($"no win rate: {e.Message}");
        }
    }

    private static readonly string[] HeadlineKeys =
        ["judge", "candidate", "baseline", "n", "wins", "losses", "ties", "invalid", "win_rate", "win_rate_se", "ci_low", "ci_high", "lc_win_rate", "judge_fields"];

    /// <summary>The report's headline numbers for stats.json, taken from report.json's own serialization.</summary>
    private static JsonObject Headline(EvaluationReport report)
    {
        var full = JsonNode.Parse(ReportJson.Write(report))!.AsObject();
        return new JsonObject(HeadlineKeys.Select(k => KeyValuePair.Create(k, full[k]?.DeepClone())));
    }

    private static void AddCount(IDictionary<string, long> counts, string reason, long count)
    {
        if (count > 0)
        {
            counts[reason] = count;
        }
    }
}
