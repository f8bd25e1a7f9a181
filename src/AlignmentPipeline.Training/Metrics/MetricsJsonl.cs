using System.Text.Json;

namespace AlignmentPipeline.Training.Metrics;

/// <summary>Reads <c>metrics.jsonl</c> written by <see cref="MetricsLogger"/> (or by TRL's log history, one object per line).</summary>
internal static class MetricsJsonl
{
    /// <summary>
    /// Every line with a <c>step</c>, in file order. Numbers become values, <c>null</c> becomes NaN, other fields
    /// (strings, objects) are skipped; a missing epoch reads as NaN. A malformed line is an error naming its number.
    /// </summary>
    public static async Task<IReadOnlyList<MetricsRow>> ReadAsync(Stream input, CancellationToken cancellationToken = default)
    {
        var rows = new List<MetricsRow>();
        using var reader = new StreamReader(input, leaveOpen: true);
        var lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"metrics.jsonl line {lineNumber} is not valid JSON: {e.Message}", e);
            }
            using (document)
            {
                if (ParseRow(document.RootElement) is { } row)
                {
                    rows.Add(row);
                }
            }
        }
        return rows;
    }

    private static MetricsRow? ParseRow(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(MetricNames.Step, out var step) || step.ValueKind != JsonValueKind.Number)
        {
            return null;
        }
        var epoch = double.NaN;
        var values = new Dictionary<string, double>();
        foreach (var property in root.EnumerateObject())
        {
            double? value = property.Value.ValueKind switch
            {
                JsonValueKind.Number => property.Value.GetDouble(),
                JsonValueKind.Null => double.NaN,
                _ => null,
            };
            if (value is null || property.Name == MetricNames.Step)
            {
                continue;
            }
            if (property.Name == MetricNames.Epoch)
            {
                epoch = value.Value;
            }
            else
            {
                values[property.Name] = value.Value;
            }
        }
        return new MetricsRow(step.GetInt64(), epoch, values);
    }
}
