using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlignmentPipeline.Data.Records;

namespace AlignmentPipeline.Data.Ingest.Formats;

/// <summary>
/// <see cref="IngestFormat.Conversational"/>: TRL-style message lists. With an explicit <c>prompt</c>, <c>chosen</c>
/// and <c>rejected</c> are the completions; without one, the prompt is the longest run of messages both lists start
/// with (it must not be empty). Messages are stored as compact JSON <c>[{"role":…,"content":…}]</c>, other message
/// keys dropped, so equal conversations get equal ids.
/// </summary>
internal sealed class ConversationalFormat(FieldNames fields) : IRowFormat
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public IngestFormat Format => IngestFormat.Conversational;

    public RowOutcome Parse(JsonObject row, string source, string raw)
    {
        string chosenField = Field("chosen"), rejectedField = Field("rejected"), promptField = Field("prompt");
        if (!TryMessages(row, chosenField, source, raw, out var chosen, out var failure)
            || !TryMessages(row, rejectedField, source, raw, out var rejected, out failure))
        {
            return failure!;
        }

        List<Message> prompt;
        if (row.TryGetPropertyValue(promptField, out var promptNode) && promptNode is not null)
        {
            if (promptNode is JsonValue value && value.TryGetValue(out string? text))
            {
                prompt = [new Message("user", text)];
            }
            else if (!TryMessages(row, promptField, source, raw, out prompt, out failure))
            {
                return failure!;
            }
        }
        else
        {
            int shared = 0;
            while (shared < chosen.Count && shared < rejected.Count && chosen[shared] == rejected[shared])
            {
                shared++;
            }

            if (shared == 0)
            {
                return RowOutcome.Reject(source, "no_common_prompt",
                    $"there is no '{promptField}' and '{chosenField}' and '{rejectedField}' do not start with the same message", raw);
            }

            prompt = chosen[..shared];
            chosen = chosen[shared..];
            rejected = rejected[shared..];
        }

        if (chosen.Count == 0 || rejected.Count == 0 || chosen.All(m => string.IsNullOrWhiteSpace(m.Content)) || rejected.All(m => string.IsNullOrWhiteSpace(m.Content)))
        {
            string field = chosen.Count == 0 || chosen.All(m => string.IsNullOrWhiteSpace(m.Content)) ? chosenField : rejectedField;
            return RowOutcome.Reject(source, "empty_response", $"'{field}' has no message with content after the prompt", raw);
        }

        string promptJson = Serialize(prompt), chosenJson = Serialize(chosen), rejectedJson = Serialize(rejected);
        if (ContentId.Normalize(chosenJson) == ContentId.Normalize(rejectedJson))
        {
            return RowOutcome.Reject(source, "identical_responses", "chosen and rejected are the same messages", raw);
        }

        string id = PairChecks.Id(row, Field("id"), promptJson, chosenJson, rejectedJson);
        return RowOutcome.Pair(new PreferencePair(id, promptJson, chosenJson, rejectedJson, source, null, PreferencePair.MessagesFormat));
    }

    private bool TryMessages(JsonObject row, string field, string source, string raw, out List<Message> messages, out RowOutcome? failure)
    {
        messages = [];
        failure = null;
        if (!row.TryGetPropertyValue(field, out var node))
        {
            failure = RowOutcome.Reject(source, "missing_field", $"field '{field}' is missing", raw);
            return false;
        }

        if (!PairChecks.TryListFromText(node, out node))
        {
            failure = RowOutcome.Reject(source, "invalid_messages", $"'{field}' is a string that is not a JSON message list", raw);
            return false;
        }

        if (node is not JsonArray list)
        {
            failure = RowOutcome.Reject(source, "invalid_messages", $"'{field}' is {PairChecks.Kind(node)}, not a list of messages", raw);
            return false;
        }

        string roleField = Field("role"), contentField = Field("content");
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonObject message
                || !PairChecks.TryString(message, roleField, out string role, out _)
                || !PairChecks.TryString(message, contentField, out string content, out _))
            {
                failure = RowOutcome.Reject(source, "invalid_messages",
                    $"'{field}[{i}]' is not an object with string '{roleField}' and '{contentField}'", raw);
                return false;
            }

            messages.Add(new Message(role, content));
        }

        return true;
    }

    private static string Serialize(IEnumerable<Message> messages) =>
        new JsonArray(messages.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content }).ToArray()).ToJsonString(Compact);

    private string Field(string logical) => fields[Format, logical];

    private sealed record Message(string Role, string Content);
}
