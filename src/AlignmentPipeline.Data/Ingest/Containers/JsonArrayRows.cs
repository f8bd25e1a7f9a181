using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignmentPipeline.Data.Ingest.Containers;

/// <summary>
/// Rows of a file holding one top-level JSON array, streamed element by element (the array is never loaded whole).
/// Row locations are 1-based element numbers. A syntax error ends the file: nothing after it can be located.
/// </summary>
internal static class JsonArrayRows
{
    public static async IAsyncEnumerable<SourceRow> ReadAsync(string path, string display, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var stream = InputFile.OpenDecompressed(path);
        await using var elements = JsonSerializer.DeserializeAsyncEnumerable<JsonNode?>(stream, cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
        long index = 0;
        while (true)
        {
            SourceRow? failure = null;
            bool more;
            try
            {
                more = await elements.MoveNextAsync();
            }
            catch (JsonException e)
            {
                more = false;
                string where = e.LineNumber is { } line ? $" at line {line + 1}, column {e.BytePositionInLine + 1}" : "";
                failure = SourceRow.Problem($"{display}:{index + 1}", "invalid_json",
                    $"invalid JSON{where} after element {index}: {JsonlRows.FirstSentence(e.Message)}; the rest of the file is unreadable", null);
            }
            catch (InvalidDataException e)
            {
                more = false;
                failure = SourceRow.Problem($"{display}:{index + 1}", "truncated_input",
                    $"the compressed file ends early or is damaged after element {index}: {e.Message}", null);
            }

            if (failure is not null)
            {
                yield return failure;
                yield break;
            }

            if (!more)
            {
                yield break;
            }

            index++;
            var value = elements.Current;
            string location = $"{display}:{index}";
            yield return value is null
                ? SourceRow.Problem(location, "not_an_object", "expected a JSON object, found null", "null")
                : new SourceRow(location, value, value.ToJsonString());
        }
    }
}
