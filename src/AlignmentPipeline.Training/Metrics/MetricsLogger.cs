using System.Text;
using System.Text.Json;

namespace AlignmentPipeline.Training.Metrics;

/// <summary>
/// Appends one JSON object per optimizer step to a <c>metrics.jsonl</c> stream, e.g.
/// <c>{"step":10,"epoch":0.5,"loss":0.6931,"rewards/chosen":0.01,…}</c>, flushing every line so a crashed run
/// leaves only whole lines. Non-finite values are written as <c>null</c> (strict JSON) and read back as NaN.
/// </summary>
internal sealed class MetricsLogger(Stream output) : IDisposable
{
    private readonly StreamWriter _writer = new(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true);

    /// <summary>Writes one line. <paramref name="values"/> must not repeat <c>step</c> or <c>epoch</c>.</summary>
    public void Log(long step, double epoch, IEnumerable<KeyValuePair<string, double>> values)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber(MetricNames.Step, step);
            WriteValue(json, MetricNames.Epoch, epoch);
            foreach (var (name, value) in values)
            {
                if (name is MetricNames.Step or MetricNames.Epoch)
                {
                    throw new ArgumentException($"'{name}' is written from the method's own argument; do not pass it among the values.", nameof(values));
                }
                WriteValue(json, name, value);
            }
            json.WriteEndObject();
        }
        _writer.Write(Encoding.UTF8.GetString(buffer.ToArray()));
        _writer.Write('\n');
        _writer.Flush();
    }

    /// <summary>Flushes and releases the writer; the stream stays open (its owner closes it).</summary>
    public void Dispose() => _writer.Dispose();

    private static void WriteValue(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
