using System.Text.Json.Nodes;
using AlignmentPipeline.Data.Records;

namespace AlignmentPipeline.Data.Ingest.Formats;

/// <summary>
/// <see cref="IngestFormat.HhTranscript"/>: the prompt is the longest common prefix of the two transcripts that ends
/// right after an "\n\nAssistant:" marker. Splitting at the last marker of <c>chosen</c> instead would be wrong
/// whenever the chosen response itself contains "\n\nAssistant:" text. An empty final assistant turn is kept: in
/// harmlessness data saying nothing is a real, often preferred, response (4 chosen responses of harmless-base/test).
/// </summary>
internal sealed class HhTranscriptFormat(FieldNames fields) : IRowFormat
{
    public const string AssistantMarker = "\n\nAssistant:";

    public IngestFormat Format => IngestFormat.HhTranscript;

    public RowOutcome Parse(JsonObject row, string source, string raw)
    {
        string chosenField = fields[Format, "chosen"], rejectedField = fields[Format, "rejected"];
        if (!PairChecks.TryString(row, chosenField, out string chosen, out var problem)
            || !PairChecks.TryString(row, rejectedField, out string rejected, out problem))
        {
            return RowOutcome.Reject(source, problem.Reason, problem.Detail, raw);
        }

        int promptLength = PromptLength(chosen, rejected);
        if (promptLength < 0)
        {
            return RowOutcome.Reject(source, "no_common_prompt",
                $"'{chosenField}' and '{rejectedField}' share no prefix ending at \"\\n\\nAssistant:\"", raw);
        }

        string prompt = chosen[..promptLength];
        string chosenResponse = chosen[promptLength..], rejectedResponse = rejected[promptLength..];
        string id = PairChecks.Id(row, fields[Format, "id"], prompt, chosenResponse, rejectedResponse);
        return PairChecks.Accept(new PreferencePair(id, prompt, chosenResponse, rejectedResponse, source), chosenField, rejectedField, raw, allowEmpty: true);
    }

    /// <summary>The length of the prompt: the end of the last marker inside the common prefix, or -1 if there is none.</summary>
    public static int PromptLength(string chosen, string rejected)
    {
        int common = chosen.AsSpan().CommonPrefixLength(rejected);
        int marker = chosen.AsSpan(0, common).LastIndexOf(AssistantMarker, StringComparison.Ordinal);
        return marker < 0 ? -1 : marker + AssistantMarker.Length;
    }
}
