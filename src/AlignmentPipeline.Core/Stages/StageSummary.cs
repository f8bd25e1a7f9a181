using System.Text.Json.Nodes;

namespace AlignmentPipeline.Core.Stages;

/// <summary>What a finished stage records.</summary>
/// <param name="Counters">Merged row counters (stats.json: rows_in, rows_out, dropped).</param>
/// <param name="Stats">Extra stage-specific statistics added to stats.json (cluster sizes, token counts…).</param>
/// <param name="Metadata">Facts for the manifest that downstream stages check (a cache key, a model config…).</param>
public sealed record StageSummary(StageCounters Counters, JsonObject? Stats = null, JsonObject? Metadata = null);
