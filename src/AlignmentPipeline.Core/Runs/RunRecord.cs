using System.Text.Json.Nodes;

namespace AlignmentPipeline.Core.Runs;

/// <summary>
/// <c>runs/&lt;run-id&gt;.json</c>: what one <c>align run</c> did. Parameters are stored as resolved, except values taken
/// from the environment, which are never stored.
/// </summary>
public sealed class RunRecord
{
    public required string RunId { get; init; }

    public required string Pipeline { get; init; }

    public required string PipelineFile { get; init; }

    public required string Storage { get; init; }

    public required IReadOnlyDictionary<string, string> Params { get; init; }

    public string Status { get; set; } = RunStatus.Running;

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; set; }

    public string? Error { get; set; }

    public List<StageRecord> Stages { get; init; } = [];

    public JsonObject ToJson() => new()
    {
        ["run_id"] = RunId,
        ["pipeline"] = Pipeline,
        ["pipeline_file"] = PipelineFile,
        ["storage"] = Storage,
        ["params"] = new JsonObject(Params.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        ["status"] = Status,
        ["started_at"] = StartedAt.ToString("O"),
        ["ended_at"] = EndedAt?.ToString("O"),
        ["error"] = Error,
        ["stages"] = new JsonArray(Stages.Select(s => (JsonNode)s.ToJson()).ToArray()),
    };

    public static RunRecord FromJson(JsonNode json) => new()
    {
        RunId = json["run_id"]!.GetValue<string>(),
        Pipeline = json["pipeline"]!.GetValue<string>(),
        PipelineFile = json["pipeline_file"]!.GetValue<string>(),
        Storage = json["storage"]!.GetValue<string>(),
        Params = json["params"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal),
        Status = json["status"]!.GetValue<string>(),
        StartedAt = DateTimeOffset.Parse(json["started_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
        EndedAt = json["ended_at"] is { } ended ? DateTimeOffset.Parse(ended.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) : null,
        Error = json["error"]?.GetValue<string>(),
        Stages = json["stages"]!.AsArray().Select(s => StageRecord.FromJson(s!)).ToList(),
    };
}

/// <summary>One stage of a run record.</summary>
public sealed class StageRecord
{
    public required string Name { get; init; }

    public required string Kind { get; init; }

    public required string Fingerprint { get; init; }

    public string Status { get; set; } = StageStatus.Pending;

    public long? RowsIn { get; set; }

    public long? RowsOut { get; set; }

    public double? Seconds { get; set; }

    public int? Tasks { get; set; }

    public int? TasksResumed { get; set; }

    public JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["kind"] = Kind,
        ["fingerprint"] = Fingerprint,
        ["status"] = Status,
        ["rows_in"] = RowsIn,
        ["rows_out"] = RowsOut,
        ["seconds"] = Seconds is { } s ? Math.Round(s, 3) : null,
        ["tasks"] = Tasks,
        ["tasks_resumed"] = TasksResumed,
    };

    public static StageRecord FromJson(JsonNode json) => new()
    {
        Name = json["name"]!.GetValue<string>(),
        Kind = json["kind"]!.GetValue<string>(),
        Fingerprint = json["fingerprint"]!.GetValue<string>(),
        Status = json["status"]!.GetValue<string>(),
        RowsIn = json["rows_in"]?.GetValue<long>(),
        RowsOut = json["rows_out"]?.GetValue<long>(),
        Seconds = json["seconds"]?.GetValue<double>(),
        Tasks = json["tasks"]?.GetValue<int>(),
        TasksResumed = json["tasks_resumed"]?.GetValue<int>(),
    };
}
