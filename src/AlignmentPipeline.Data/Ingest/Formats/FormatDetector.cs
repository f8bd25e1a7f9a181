using System.Text.Json.Nodes;

namespace AlignmentPipeline.Data.Ingest.Formats;

/// <summary>Recognises the format of a row from its fields, in the order documented on <see cref="IngestFormat.Auto"/>.</summary>
internal static class FormatDetector
{
    public static IngestFormat? Detect(JsonObject row, FieldNames fields)
    {
        if (PairChecks.IsList(row[fields[IngestFormat.Scored, "completions"]]))
        {
            return IngestFormat.Scored;
        }

        if (row.ContainsKey(fields[IngestFormat.PairwiseJudged, "response1"]) && row.ContainsKey(fields[IngestFormat.PairwiseJudged, "response2"]))
        {
            return IngestFormat.PairwiseJudged;
        }

        var chosen = row[fields[IngestFormat.Conversational, "chosen"]];
        if (chosen is JsonArray || (chosen is JsonValue v && v.TryGetValue(out string? json) && json.TrimStart().StartsWith("[{", StringComparison.Ordinal)))
        {
            return IngestFormat.Conversational;
        }

        bool hasPrompt = row.ContainsKey(fields[IngestFormat.Canonical, "prompt"]);
        if (!hasPrompt && row[fields[IngestFormat.HhTranscript, "chosen"]] is JsonValue text && text.TryGetValue(out string? transcript)
            && transcript.Contains(HhTranscriptFormat.AssistantMarker, StringComparison.Ordinal))
        {
            return IngestFormat.HhTranscript;
        }

        return hasPrompt && row.ContainsKey(fields[IngestFormat.Canonical, "chosen"]) && row.ContainsKey(fields[IngestFormat.Canonical, "rejected"])
            ? IngestFormat.Canonical
            : null;
    }
}
