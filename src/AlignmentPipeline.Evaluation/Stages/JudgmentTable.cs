using System.Text.Json.Nodes;
using AlignmentPipeline.Data.Tables;
using AlignmentPipeline.Evaluation.Judges;

namespace AlignmentPipeline.Evaluation.Stages;

/// <summary>
/// The layout of <c>judgments.parquet</c>: <c>item_id</c>, <c>prompt</c>, <c>candidate</c>, <c>baseline</c> (the texts
/// judged), <c>verdict</c> (win, loss, tie, invalid), <c>candidate_score</c> and <c>baseline_score</c> (NaN when the judge
/// gives none) and <c>fields</c> (the judge's raw per-item fields as a JSON object).
/// </summary>
public static class JudgmentTable
{
    /// <summary>The file name inside an evaluate output.</summary>
    public const string FileName = "judgments.parquet";

    /// <summary>The schema.</summary>
    public static TableSchema<JudgedItem> Schema { get; } = new TableSchema<JudgedItem>()
        .String("item_id", i => i.Request.ItemId)
        .String("prompt", i => i.Request.Prompt)
        .String("candidate", i => i.Request.Candidate)
        .String("baseline", i => i.Request.Baseline)
        .String("verdict", i => i.Outcome.Verdict.ToString().ToLowerInvariant())
        .Double("candidate_score", i => i.Outcome.CandidateScore ?? double.NaN)
        .Double("baseline_score", i => i.Outcome.BaselineScore ?? double.NaN)
        .String("fields", i => new JsonObject(i.Outcome.Fields.OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => KeyValuePair.Create(f.Key, (JsonNode?)f.Value))).ToJsonString());
}
