using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Parquet.Schema;
using Parquet.Serialization;

namespace AlignmentPipeline.Data.Tests.Ingest;

/// <summary>
/// Every ingest format read from every container with <c>format: auto</c>: the same two rows written as Parquet, CSV
/// and a JSON array give the same pairs, and the recognised format and container are named in stats.json. In CSV,
/// nested values (message lists, completions) are JSON text in a cell; in Parquet they are list-of-struct columns.
/// </summary>
public sealed class FormatContainerTests
{
    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (string format in new[] { "canonical", "conversational", "hh_transcript", "pairwise_judged", "scored" })
        {
            foreach (string container in new[] { "parquet", "csv", "json_array" })
            {
                cases.Add(format, container);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_format_is_recognised_and_read_from_each_container(string format, string container)
    {
        var (schema, rows, expected) = Sample(format);
        using var harness = new PipelineHarness();
        string file = container switch
        {
            "parquet" => await WriteParquetAsync(harness, schema, rows),
            "csv" => harness.WriteFile("rows.csv", Csv(rows)),
            _ => harness.WriteFile("rows.json", new JsonArray(rows.Select(r => (JsonNode)ToJsonObject(r)).ToArray()).ToJsonString()),
        };

        var outputs = await IngestRun.RunAsync(harness, file);

        Assert.Empty(await outputs.QuarantineAsync("ingest"));
        var pairs = await outputs.PairsAsync("ingest");
        Assert.Equal(expected, pairs.Select(p => $"{p.Prompt}|{p.Chosen}|{p.Rejected}"));
        string name = Path.GetFileName(file);
        string[] locations = container == "csv" ? [$"{name}:2", $"{name}:{CsvSecondRowLine(rows)}"] : [$"{name}:1", $"{name}:2"];
        Assert.Equal(locations, pairs.Select(p => Path.GetFileName(p.Source)));
        var source = (await outputs.StatsAsync("ingest"))["sources"]![0]!;
        Assert.Equal((format, container), (source["format"]!.GetValue<string>(), source["container"]!.GetValue<string>()));
    }

    /// <summary>Two rows of a format, the Parquet schema that holds them, and the pairs they must give.</summary>
    private static (ParquetSchema Schema, List<Dictionary<string, object?>> Rows, string[] Expected) Sample(string format)
    {
        static Dictionary<string, object> Message(string role, string content) => new() { ["role"] = role, ["content"] = content };
        static StructField MessageStruct() => new("element", new DataField<string>("role"), new DataField<string>("content"));
        switch (format)
        {
            case "canonical":
                return (new ParquetSchema(new DataField<string>("prompt"), new DataField<string>("chosen"), new DataField<string>("rejected")),
                    [Row(("prompt", "p1"), ("chosen", "a1"), ("rejected", "b1")), Row(("prompt", "p2, with a comma"), ("chosen", "a \"quoted\" 2"), ("rejected", "b2"))],
                    ["p1|a1|b1", "p2, with a comma|a \"quoted\" 2|b2"]);
            case "conversational":
                return (new ParquetSchema(new ListField("chosen", MessageStruct()), new ListField("rejected", MessageStruct())),
                    Enumerable.Range(1, 2).Select(i => Row(
                        ("chosen", new List<Dictionary<string, object>> { Message("user", $"u{i}"), Message("assistant", $"a{i}") }),
                        ("rejected", new List<Dictionary<string, object>> { Message("user", $"u{i}"), Message("assistant", $"b{i}") }))).ToList(),
                    Enumerable.Range(1, 2).Select(i =>
                        $$"""[{"role":"user","content":"u{{i}}"}]|[{"role":"assistant","content":"a{{i}}"}]|[{"role":"assistant","content":"b{{i}}"}]""").ToArray());
            case "hh_transcript":
                return (new ParquetSchema(new DataField<string>("chosen"), new DataField<string>("rejected")),
                    Enumerable.Range(1, 2).Select(i => Row(("chosen", $"\n\nHuman: h{i}\n\nAssistant: a{i}"), ("rejected", $"\n\nHuman: h{i}\n\nAssistant: b{i}"))).ToList(),
                    Enumerable.Range(1, 2).Select(i => $"\n\nHuman: h{i}\n\nAssistant:| a{i}| b{i}").ToArray());
            case "pairwise_judged":
                return (new ParquetSchema(new DataField<string>("instruction"), new DataField<string>("input"), new DataField<string>("response1"),
                        new DataField<string>("response2"), new DataField<int>("annotator1"), new DataField<int>("annotator2"), new DataField<int>("annotator3")),
                    [
                        Row(("instruction", "i1"), ("input", ""), ("response1", "a1"), ("response2", "b1"), ("annotator1", 1), ("annotator2", 1), ("annotator3", 2)),
                        Row(("instruction", "i2"), ("input", "ctx"), ("response1", "a2"), ("response2", "b2"), ("annotator1", 2), ("annotator2", 0), ("annotator3", 2)),
                    ],
                    ["i1|a1|b1", "i2\n\nctx|b2|a2"]);
            default:
                var completion = new StructField("element", new DataField<string>("response"), new DataField<double>("overall_score"));
                static Dictionary<string, object> Scored(string response, double score) => new() { ["response"] = response, ["overall_score"] = score };
                return (new ParquetSchema(new DataField<string>("instruction"), new ListField("completions", completion)),
                    [
                        Row(("instruction", "q1"), ("completions", new List<Dictionary<string, object>> { Scored("low", 2.5), Scored("high", 9), Scored("mid", 6) })),
                        Row(("instruction", "q2"), ("completions", new List<Dictionary<string, object>> { Scored("best", 10), Scored("worst", 1) })),
                    ],
                    ["q1|high|low", "q2|best|worst"]);
        }
    }

    private static Dictionary<string, object?> Row(params (string Key, object Value)[] fields) => fields.ToDictionary(f => f.Key, f => (object?)f.Value);

    private static async Task<string> WriteParquetAsync(PipelineHarness harness, ParquetSchema schema, List<Dictionary<string, object?>> rows)
    {
        string path = harness.WriteFile("rows.parquet", Array.Empty<byte>());
        await using var file = File.Create(path);
        await ParquetSerializer.SerializeUntypedAsync(rows.Cast<IDictionary<string, object?>>().ToList(), schema, file, cancellationToken: TestContext.Current.CancellationToken);
        return path;
    }

    private static JsonObject ToJsonObject(Dictionary<string, object?> row) => new(row.Select(f => KeyValuePair.Create(f.Key, ToJson(f.Value))));

    private static JsonNode? ToJson(object? value) => value switch
    {
        string s => s,
        int i => i,
        double d => d,
        IEnumerable<Dictionary<string, object>> items => new JsonArray(items.Select(item => (JsonNode)new JsonObject(item.Select(f => KeyValuePair.Create(f.Key, ToJson(f.Value))))).ToArray()),
        _ => throw new ArgumentException($"no JSON form for {value?.GetType().Name}"),
    };

    /// <summary>RFC 4180 CSV, every field quoted; nested values as JSON text.</summary>
    private static string Csv(List<Dictionary<string, object?>> rows)
    {
        static string Quote(string text) => "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        static string Text(object? value) => value switch
        {
            string s => s,
            IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
            _ => ToJson(value)!.ToJsonString(),
        };
        var csv = new StringBuilder().AppendJoin(',', rows[0].Keys.Select(Quote)).Append("\r\n");
        foreach (var row in rows)
        {
            csv.AppendJoin(',', row.Values.Select(v => Quote(Text(v)))).Append("\r\n");
        }

        return csv.ToString();
    }

    /// <summary>The line the second CSV record starts on: after the header, the first record and its embedded line breaks.</summary>
    private static int CsvSecondRowLine(List<Dictionary<string, object?>> rows) => 3 + rows[0].Values.OfType<string>().Sum(s => s.Count(c => c == '\n'));
}
