using System.Text;
using System.Text.Json.Nodes;

namespace AlignmentPipeline.Data.Ingest.Containers;

/// <summary>
/// Rows of a CSV or TSV file with a header row. Fields may be quoted with <c>"</c> (a doubled <c>""</c> is a quote)
/// and then hold separators and line breaks. Every value is a JSON string; formats that need numbers (labels,
/// scores) parse them. A row whose field count differs from the header's is quarantined as <c>bad_row</c>.
/// Invalid UTF-8 is replaced by U+FFFD.
/// </summary>
internal static class DelimitedRows
{
    public static IEnumerable<SourceRow> Read(string path, string display, char separator, CancellationToken cancellationToken = default)
    {
        using var text = new StreamReader(InputFile.OpenDecompressed(path), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, 1 << 16);
        var reader = new RecordReader(text, separator);
        string[]? header = null;
        string? damage = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            List<string>? record;
            try
            {
                record = reader.Next();
            }
            catch (InvalidDataException e)
            {
                record = null;
                damage = e.Message;
            }

            if (damage is not null)
            {
                yield return SourceRow.Problem($"{display}:{reader.RecordLine}", "truncated_input", damage, null);
                yield break;
            }

            if (record is null)
            {
                yield break;
            }

            string location = $"{display}:{reader.RecordLine}";
            if (record.Count == 1 && record[0].Length == 0)
            {
                yield return SourceRow.Blank(location);
                continue;
            }

            if (header is null)
            {
                header = [.. record];
                continue;
            }

            string raw = string.Join(separator, record);
            if (record.Count != header.Length)
            {
                yield return SourceRow.Problem(location, "bad_row", $"the row has {record.Count} fields, the header has {header.Length}", raw);
                continue;
            }

            var row = new JsonObject();
            for (int i = 0; i < header.Length; i++)
            {
                row[header[i]] = record[i];
            }

            yield return new SourceRow(location, row, raw);
        }
    }

    /// <summary>Splits buffered text into records of fields, honouring quotes across line breaks.</summary>
    private sealed class RecordReader(TextReader text, char separator)
    {
        private long line = 1;

        /// <summary>1-based line on which the record last returned starts.</summary>
        public long RecordLine { get; private set; }

        public List<string>? Next()
        {
            RecordLine = line;
            var fields = new List<string>();
            var field = new StringBuilder();
            bool quoted = false, any = false;
            while (true)
            {
                int read = text.Read();
                if (read < 0)
                {
                    if (!any)
                    {
                        return null;
                    }

                    fields.Add(field.ToString());
                    return fields;
                }

                any = true;
                char c = (char)read;
                if (quoted)
                {
                    if (c == '"')
                    {
                        if (text.Peek() == '"')
                        {
                            text.Read();
                            field.Append('"');
                        }
                        else
                        {
                            quoted = false;
                        }
                    }
                    else
                    {
                        line += c == '\n' ? 1 : 0;
                        field.Append(c);
                    }
                }
                else if (c == '"' && field.Length == 0)
                {
                    quoted = true;
                }
                else if (c == separator)
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else if (c == '\n')
                {
                    line++;
                    fields.Add(field.ToString());
                    return fields;
                }
                else if (c != '\r' || text.Peek() != '\n')
                {
                    field.Append(c);
                }
            }
        }
    }
}
