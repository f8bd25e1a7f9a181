using System.Text.Json.Nodes;

namespace AlignmentPipeline.Core.Runs;

/// <summary>
/// <c>manifest.json</c>, written last into a stage folder: the proof that the folder is complete. It lists every
/// published file with its size and SHA-256. It holds no timestamps, so reruns produce identical bytes.
/// </summary>
public sealed record Manifest(
    string Stage,
    string Kind,
    int KindVersion,
    string Fingerprint,
    JsonObject Options,
    IReadOnlyDictionary<string, string> Inputs,
    IReadOnlyList<ManifestFile> Files,
    JsonObject Stats,
    JsonObject Metadata)
{
    public const string FileName = "manifest.json";

    public JsonObject ToJson() => new()
    {
        ["format"] = 1,
        ["stage"] = Stage,
        ["kind"] = Kind,
        ["kind_version"] = KindVersion,
        ["fingerprint"] = Fingerprint,
        ["options"] = Options.DeepClone(),
        ["inputs"] = new JsonObject(Inputs.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => KeyValuePair.Create(i.Key, (JsonNode?)i.Value))),
        ["files"] = new JsonArray(Files.Select(f => (JsonNode)new JsonObject { ["path"] = f.Path, ["bytes"] = f.Bytes, ["sha256"] = f.Sha256 }).ToArray()),
        ["stats"] = Stats.DeepClone(),
        ["metadata"] = Metadata.DeepClone(),
    };

    public static Manifest FromJson(JsonNode json) => new(
        json["stage"]!.GetValue<string>(),
        json["kind"]!.GetValue<string>(),
        json["kind_version"]!.GetValue<int>(),
        json["fingerprint"]!.GetValue<string>(),
        json["options"]!.AsObject(),
        json["inputs"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal),
        json["files"]!.AsArray().Select(f => new ManifestFile(f!["path"]!.GetValue<string>(), f["bytes"]!.GetValue<long>(), f["sha256"]!.GetValue<string>())).ToList(),
        json["stats"]!.AsObject(),
        json["metadata"]!.AsObject());
}

/// <summary>One published file of a stage output, relative to the stage folder.</summary>
public sealed record ManifestFile(string Path, long Bytes, string Sha256);
