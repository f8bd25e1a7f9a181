using System.Text.Json;
using AlignmentPipeline.Data.Records;

namespace AlignmentPipeline.Data.Ingest;

/// <summary>Turns a JSON object with <c>prompt</c>, <c>chosen</c>, <c>rejected</c> strings into a pair, or says why not.</summary>
internal sealed class CanonicalRowParser(IReadOnlyDictionary<string, string> fieldMap)
{
    public RowOutcome Parse(JsonElement row, string source, string raw)
    {
        if (row.ValueKind != JsonValueKind.Object)
        {
            return RowOutcome.Reject(source, "not_an_object", $"expected a JSON object, found {row.ValueKind}", raw);
        }

        var texts = new string[3];
        string[] names = ["prompt", "chosen", "rejected"];
        for (int i = 0; i < names.Length; i++)
        {
            string field = Field(names[i]);
            if (!row.TryGetProperty(field, out var value))
            {
                return RowOutcome.Reject(source, "missing_field", $"field '{field}' is missing", raw);
            }

            if (value.ValueKind != JsonValueKind.String)
            {
                return RowOutcome.Reject(source, "not_a_string", $"field '{field}' is {value.ValueKind}, not a string", raw);
            }

            texts[i] = value.GetString()!;
        }

        if (string.IsNullOrWhiteSpace(texts[1]) || string.IsNullOrWhiteSpace(texts[2]))
        {
            return RowOutcome.Reject(source, "empty_response", $"'{(string.IsNullOrWhiteSpace(texts[1]) ? Field("chosen") : Field("rejected"))}' is empty", raw);
        }

        if (ContentId.Normalize(texts[1]) == ContentId.Normalize(texts[2]))
        {
            return RowOutcome.Reject(source, "identical_responses", "chosen and rejected are the same text", raw);
        }

        string id = row.TryGetProperty(Field("id"), out var idValue) && idValue.ValueKind is JsonValueKind.String or JsonValueKind.Number
            ? idValue.ToString()
            : ContentId.Of(texts[0], texts[1], texts[2]);
        return RowOutcome.Pair(new PreferencePair(id, texts[0], texts[1], texts[2], source));
    }

    private string Field(string canonical) => fieldMap.TryGetValue(canonical, out var mapped) ? mapped : canonical;
}
