using System.Text.Json.Nodes;
using AlignmentPipeline.Evaluation.Statistics;

namespace AlignmentPipeline.Evaluation.Tests.Agreement;

/// <summary>
/// Reads PandaLM's human-annotated test set (WeOpenML/PandaLM data/testset-v1.json): 999 pairs, three annotators
/// each, label 1 = response1 better, 2 = response2 better, 0 = tie. Six rows hold a JSON boolean instead of a response.
/// </summary>
internal static class PandaLmTestSet
{
    /// <summary>One pair; a response is null when the file holds something other than a string there.</summary>
    public sealed record Row(int Idx, string Prompt, string? Response1, string? Response2, Verdict Majority);

    public static IReadOnlyList<Row> Load(string path) =>
        JsonNode.Parse(File.ReadAllText(path))!.AsArray().Select(node =>
        {
            var instruction = node!["instruction"]!.GetValue<string>();
            var input = node["input"]!.GetValue<string>();
            return new Row(
                node["idx"]!.GetValue<int>(),
                input.Length == 0 ? instruction : $"{instruction}\n\n{input}",
                TextOrNull(node["response1"]),
                TextOrNull(node["response2"]),
                Majority(node["annotator1"]!.GetValue<int>(), node["annotator2"]!.GetValue<int>(), node["annotator3"]!.GetValue<int>()));
        }).ToList();

    /// <summary>The label at least two of three annotators gave, as a verdict about response1.</summary>
    private static Verdict Majority(params int[] labels)
    {
        var label = labels.GroupBy(l => l).Where(g => g.Count() >= 2).Select(g => g.Key).Single();
        return label switch { 1 => Verdict.Win, 2 => Verdict.Loss, _ => Verdict.Tie };
    }

    private static string? TextOrNull(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
