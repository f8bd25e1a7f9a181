using System.Text.Json;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core;
using AlignmentPipeline.Evaluation.Statistics;

namespace AlignmentPipeline.Evaluation.Agreement;

/// <summary>
/// Reads pairs with human labels from a JSON array or a JSONL file. Each object has a prompt (<c>prompt</c>, or
/// PandaLM's <c>instruction</c> plus optional <c>input</c>), <c>response1</c>, <c>response2</c> and a label: either
/// <c>label</c> or the majority of <c>annotator1</c>, <c>annotator2</c>, … Labels follow PandaLM
/// (WeOpenML/PandaLM data/testset-v1.json): 1 = response1 better, 2 = response2 better, 0 = tie.
/// </summary>
public static class HumanLabelledPairs
{
    /// <summary>Reads every pair of <paramref name="path"/> in file order.</summary>
    /// <exception cref="UserErrorException">The file is missing, is not JSON, or a row lacks a prompt, a response field or a label.</exception>
    public static IReadOnlyList<HumanLabelledPair> Load(string path)
    {
        if (!File.Exists(path))
            throw new UserErrorException($"labelled pair file '{path}' does not exist");
        var text = File.ReadAllText(path);
        var rows = text.TrimStart().StartsWith('[')
            ? Parse(path, text, "the file").AsArray().Select((node, i) => (Where: $"element {i}", Node: node))
            : text.Split('\n').Select((line, i) => (Where: $"line {i + 1}", Line: line.Trim()))
                .Where(l => l.Line.Length > 0)
                .Select(l => (l.Where, Node: (JsonNode?)Parse(path, l.Line, l.Where)));
        return rows.Select((row, i) => Read(path, row.Where, i, row.Node as JsonObject
            ?? throw new UserErrorException($"{path}: {row.Where} is not a JSON object"))).ToList();
    }

    private static JsonNode Parse(string path, string json, string where)
    {
        try
        {
            return JsonNode.Parse(json) ?? throw new UserErrorException($"{path}: {where} is JSON null");
        }
        catch (JsonException e)
        {
            throw new UserErrorException($"{path}: {where} is not valid JSON ({e.Message})", e);
        }
    }

    private static HumanLabelledPair Read(string path, string where, int position, JsonObject row)
    {
        string Required(string key) => row[key] is JsonValue value && value.TryGetValue<string>(out var text)
            ? text
            : throw new UserErrorException($"{path}: {where} has no string '{key}'");

        var prompt = row.ContainsKey("prompt") ? Required("prompt")
            : row["input"] is JsonValue input && input.TryGetValue<string>(out var extra) && extra.Length > 0
                ? $"{Required("instruction")}\n\n{extra}"
                : Required("instruction");
        if (!row.ContainsKey("response1") || !row.ContainsKey("response2"))
            throw new UserErrorException($"{path}: {where} needs both 'response1' and 'response2'");
        var id = (row["idx"] ?? row["id"])?.ToString() ?? $"{position}";
        return new HumanLabelledPair(id, prompt, TextOrNull(row["response1"]), TextOrNull(row["response2"]), Label(path, where, row));
    }

    /// <summary>The <c>label</c>, else the label more than half of the <c>annotatorN</c> fields give (null without such a majority).</summary>
    private static Verdict? Label(string path, string where, JsonObject row)
    {
        if (row.ContainsKey("label"))
            return ToVerdict(path, where, row["label"]);
        var labels = row.Where(p => p.Key.StartsWith("annotator", StringComparison.Ordinal))
            .Select(p => ToVerdict(path, where, p.Value)).ToList();
        if (labels.Count == 0)
            throw new UserErrorException($"{path}: {where} has neither 'label' nor 'annotator1', 'annotator2', … fields");
        return labels.GroupBy(l => l).Where(g => g.Count() * 2 > labels.Count).Select(g => (Verdict?)g.Key).SingleOrDefault();
    }

    private static Verdict ToVerdict(string path, string where, JsonNode? label) =>
        label is JsonValue value && value.TryGetValue<int>(out var number) && number is >= 0 and <= 2
            ? number switch { 1 => Verdict.Win, 2 => Verdict.Loss, _ => Verdict.Tie }
            : throw new UserErrorException($"{path}: {where} has label '{label?.ToJsonString()}'; labels are 1 (response1 better), 2 (response2 better) or 0 (tie)");

    private static string? TextOrNull(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
