using System.Text.Json.Nodes;
using AlignmentPipeline.Data.Records;

namespace AlignmentPipeline.Data.Ingest.Formats;

/// <summary>Field access and the checks every format applies before it makes a pair.</summary>
internal static class PairChecks
{
    /// <summary>The string value of a field, or the reason it is not one (<c>missing_field</c>, <c>not_a_string</c>).</summary>
    public static bool TryString(JsonObject row, string field, out string text, out (string Reason, string Detail) problem)
    {
        text = "";
        problem = default;
        if (!row.TryGetPropertyValue(field, out var value))
        {
            problem = ("missing_field", $"field '{field}' is missing");
            return false;
        }

        if (value is JsonValue scalar && scalar.TryGetValue(out string? s))
        {
            text = s;
            return true;
        }

        problem = ("not_a_string", $"field '{field}' is {Kind(value)}, not a string");
        return false;
    }

    /// <summary>
    /// A list stored as JSON text (a CSV or TSV cell, a Parquet string column) parsed into a JSON array, so nested
    /// fields read the same from every container; any other node is returned as is. False when the text starts with
    /// <c>[</c> but is not valid JSON.
    /// </summary>
    public static bool TryListFromText(JsonNode? node, out JsonNode? value)
    {
        value = node;
        if (node is not JsonValue text || !text.TryGetValue(out string? json) || !json.TrimStart().StartsWith('['))
        {
            return true;
        }

        try
        {
            value = JsonNode.Parse(json);
            return true;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    /// <summary>Whether a field holds a list, directly or as JSON text.</summary>
    public static bool IsList(JsonNode? node) => TryListFromText(node, out var value) && value is JsonArray;

    /// <summary>
    /// Rejects two responses that are the same after normalization and, unless <paramref name="allowEmpty"/>, a
    /// response that is empty or blank.
    /// </summary>
    public static RowOutcome Accept(PreferencePair pair, string chosenField, string rejectedField, string raw, bool allowEmpty = false)
    {
        if (!allowEmpty && (string.IsNullOrWhiteSpace(pair.Chosen) || string.IsNullOrWhiteSpace(pair.Rejected)))
        {
            string field = string.IsNullOrWhiteSpace(pair.Chosen) ? chosenField : rejectedField;
            return RowOutcome.Reject(pair.Source, "empty_response", $"'{field}' is empty", raw);
        }

        if (ContentId.Normalize(pair.Chosen) == ContentId.Normalize(pair.Rejected))
        {
            return RowOutcome.Reject(pair.Source, "identical_responses", "chosen and rejected are the same text", raw);
        }

        return RowOutcome.Pair(pair);
    }

    /// <summary>The source's id (a string or number field) or the content id of the pair.</summary>
    public static string Id(JsonObject row, string idField, string prompt, string chosen, string rejected) =>
        row.TryGetPropertyValue(idField, out var value) && value is JsonValue scalar
        && scalar.GetValueKind() is System.Text.Json.JsonValueKind.String or System.Text.Json.JsonValueKind.Number
            ? scalar.GetValueKind() == System.Text.Json.JsonValueKind.String ? scalar.GetValue<string>() : scalar.ToJsonString()
            : ContentId.Of(prompt, chosen, rejected);

    public static string Kind(JsonNode? value) => value switch
    {
        null => "null",
        JsonArray => "a list",
        JsonObject => "an object",
        _ => value.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => "a boolean",
            System.Text.Json.JsonValueKind.Number => "a number",
            System.Text.Json.JsonValueKind.String => "a string",
            var other => other.ToString(),
        },
    };
}
