using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using AlignmentPipeline.Core.Runs;

namespace AlignmentPipeline.Cli;

/// <summary>How commands print tables and JSON.</summary>
internal static class Output
{
    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void PrintRun(TextWriter writer, RunRecord record)
    {
        writer.WriteLine($"run {record.RunId}  {record.Status}  pipeline {record.Pipeline}  storage {record.Storage}");
        Table(writer, ["stage", "kind", "status", "fingerprint", "rows in", "rows out", "seconds"],
            record.Stages.Select(s => new[]
            {
                s.Name, s.Kind, s.Status, s.Fingerprint[..12], Count(s.RowsIn), Count(s.RowsOut),
                s.Seconds?.ToString("0.0", CultureInfo.InvariantCulture) ?? "",
            }));
    }

    public static void Table(TextWriter writer, string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = header.Select((_, c) => all.Max(r => r[c].Length)).ToArray();
        foreach (var row in all)
        {
            writer.WriteLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }
    }

    private static string Count(long? value) => value?.ToString("N0", CultureInfo.InvariantCulture) ?? "";
}
