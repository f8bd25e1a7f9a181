using System.Text.Json.Nodes;

namespace AlignmentPipeline.Core.Stages;

/// <summary>What one task reports; stored as its completion marker so a rerun can skip it.</summary>
/// <param name="Counters">Rows in, out and dropped.</param>
/// <param name="Extra">Stage-specific results the stage's <see cref="IStage.FinalizeAsync"/> merges.</param>
public sealed record TaskResult(StageCounters Counters, JsonObject? Extra = null)
{
    public JsonObject ToJson() => new() { ["counters"] = Counters.ToJson(), ["extra"] = Extra?.DeepClone() };

    public static TaskResult FromJson(JsonNode json) =>
        new(StageCounters.FromJson(json["counters"]!), json["extra"] as JsonObject);
}
