using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace AlignmentPipeline.Data.Ingest.Containers;

/// <summary>Rows of a JSONL file: one JSON value per line; blank lines are reported as blank, never as errors.</summary>
internal static class JsonlRows
{
    public static async IAsyncEnumerable<SourceRow> ReadAsync(string path, string display, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var reader = new LineReader(InputFile.OpenDecompressed(path));
        while (true)
        {
            ReadOnlyMemory<byte>? maybeLine;
            string? damage = null;
            try
            {
                maybeLine = await reader.ReadLineAsync(cancellationToken);
            }
            catch (InvalidDataException e)
            {
                maybeLine = null;
                damage = e.Message;
            }

            if (damage is not null)
            {
                yield return SourceRow.Problem($"{display}:{reader.LineNumber + 1}", "truncated_input",
                    $"the compressed file ends early or is damaged after line {reader.LineNumber}: {damage}", null);
                yield break;
            }

            if (maybeLine is not { } line)
            {
                yield break;
            }

            string location = $"{display}:{reader.LineNumber}";
            yield return IsBlank(line.Span) ? SourceRow.Blank(location) : Parse(line, location);
        }
    }

    internal static SourceRow Parse(ReadOnlyMemory<byte> line, string location)
    {
        if (!Utf8.IsValid(line.Span))
        {
            return SourceRow.Problem(location, "invalid_utf8", "the line is not valid UTF-8", Encoding.UTF8.GetString(line.Span));
        }

        string raw = Encoding.UTF8.GetString(line.Span);
        try
        {
            return JsonNode.Parse(line.Span) is { } value
                ? new SourceRow(location, value, raw)
                : SourceRow.Problem(location, "not_an_object", "expected a JSON object, found null", raw);
        }
        catch (JsonException e)
        {
            string where = e.BytePositionInLine is { } column ? $" at column {column + 1}" : "";
            return SourceRow.Problem(location, "invalid_json", $"invalid JSON{where}: {FirstSentence(e.Message)}", raw);
        }
    }

    internal static string FirstSentence(string message)
    {
        int cut = message.IndexOf(". ", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (byte b in line)
        {
            if (b is not ((byte)' ' or (byte)'\t'))
            {
                return false;
            }
        }

        return true;
    }
}
