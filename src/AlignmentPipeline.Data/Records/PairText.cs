using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignmentPipeline.Data.Records;

/// <summary>Views of a pair for checks and quarantine: plain text of each field and the whole pair as JSON.</summary>
internal static class PairText
{
    /// <summary>The text of a field: itself for text pairs; the message contents joined by newlines for message lists.</summary>
    public static string Of(PreferencePair pair, string field) => Of(field, pair.Format);

    /// <summary>The text of a field of a pair whose <see cref="PreferencePair.Format"/> is <paramref name="format"/>.</summary>
    public static string Of(string field, string format)
    {
        if (format != PreferencePair.MessagesFormat)
        {
            return field;
        }

        try
        {
            return JsonNode.Parse(field) is JsonArray messages
                ? string.Join('\n', messages.Select(m => m?["content"]?.GetValue<string>() ?? ""))
                : field;
        }
        catch (JsonException)
        {
            return field;
        }
    }

    /// <summary>The pair as one JSON object, for the <c>raw</c> column of quarantine.</summary>
    public static string Json(PreferencePair pair) => new JsonObject
    {
        ["id"] = pair.Id,
        ["prompt"] = pair.Prompt,
        ["chosen"] = pair.Chosen,
        ["rejected"] = pair.Rejected,
        ["source"] = pair.Source,
        ["metadata"] = pair.Metadata,
        ["format"] = pair.Format,
    }.ToJsonString();
}
