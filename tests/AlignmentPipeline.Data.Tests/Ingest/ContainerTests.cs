using System.IO.Compression;
using System.Text;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace AlignmentPipeline.Data.Tests.Ingest;

public sealed class ContainerTests
{
    [Fact]
    public async Task Csv_fields_may_quote_commas_quotes_and_line_breaks_and_locations_name_the_starting_line()
    {
        using var harness = new PipelineHarness();
        string csv = "prompt,chosen,rejected\r\n\"Say \"\"hi\"\", twice\",\"hi\nhi\",hi\r\nshort,row\r\np,a,b\r\n";
        var outputs = await IngestRun.RunAsync(harness, harness.WriteFile("pairs.csv", csv));

        var pairs = await outputs.PairsAsync("ingest");
        Assert.Equal(2, pairs.Count);
        Assert.Equal(("Say \"hi\", twice", "hi\nhi", "hi"), (pairs[0].Prompt, pairs[0].Chosen, pairs[0].Rejected));
        Assert.Equal(["pairs.csv:2", "pairs.csv:5"], pairs.Select(p => Path.GetFileName(p.Source)));
        var bad = Assert.Single(await outputs.QuarantineAsync("ingest"));
        Assert.Equal(("bad_row", "pairs.csv:4"), (bad.Reason, Path.GetFileName(bad.Source)));
    }

    [Fact]
    public async Task Tsv_with_numeric_labels_as_text_works_for_pairwise_judged_rows()
    {
        using var harness = new PipelineHarness();
        string tsv = "instruction\tinput\tresponse1\tresponse2\tannotator1\tannotator2\tannotator3\nq\t\ta\tb\t2\t2\t1\n";
        var outputs = await IngestRun.RunAsync(harness, harness.WriteFile("judged.tsv.gz", Gzip(tsv)));

        var pair = Assert.Single(await outputs.PairsAsync("ingest"));
        Assert.Equal(("q", "b", "a"), (pair.Prompt, pair.Chosen, pair.Rejected));
    }

    [Fact]
    public async Task Gzipped_json_array_streams_its_elements_with_one_based_locations()
    {
        using var harness = new PipelineHarness();
        string json = """[{"prompt":"p1","chosen":"a","rejected":"b"}, 7, {"prompt":"p3","chosen":"a","rejected":"b"}]""";
        var outputs = await IngestRun.RunAsync(harness, harness.WriteFile("rows.data", Gzip(json)));

        Assert.Equal(["p1", "p3"], (await outputs.PairsAsync("ingest")).Select(p => p.Prompt));
        var bad = Assert.Single(await outputs.QuarantineAsync("ingest"));
        Assert.Equal(("not_an_object", "rows.data:2"), (bad.Reason, Path.GetFileName(bad.Source)));
        Assert.Equal("json_array", (await outputs.StatsAsync("ingest"))["sources"]![0]!["container"]!.GetValue<string>());
    }

    [Fact]
    public async Task Parquet_with_nested_message_lists_reads_as_conversational_rows()
    {
        using var harness = new PipelineHarness();
        static StructField Message() => new("element", new DataField<string>("role"), new DataField<string>("content"));
        var schema = new ParquetSchema(new ListField("chosen", Message()), new ListField("rejected", Message()), new DataField<int>("n"));
        var rows = Enumerable.Range(0, 3).Select(i => (IDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["chosen"] = new List<Dictionary<string, object>> { Turn("user", $"q{i}"), Turn("assistant", "yes") },
            ["rejected"] = new List<Dictionary<string, object>> { Turn("user", $"q{i}"), Turn("assistant", "no") },
            ["n"] = i,
        }).ToList();
        string path = Path.Combine(harness.Root, "in", "chat.parquet");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using (var file = File.Create(path))
        {
            await ParquetSerializer.SerializeUntypedAsync(rows, schema, file, cancellationToken: TestContext.Current.CancellationToken);
        }

        var outputs = await IngestRun.RunAsync(harness, path);

        var pairs = await outputs.PairsAsync("ingest");
        Assert.Equal(["""[{"role":"user","content":"q0"}]""", """[{"role":"user","content":"q1"}]""", """[{"role":"user","content":"q2"}]"""], pairs.Select(p => p.Prompt));
        Assert.All(pairs, p => Assert.Equal("""[{"role":"assistant","content":"yes"}]""", p.Chosen));
        Assert.Equal(["chat.parquet:1", "chat.parquet:2", "chat.parquet:3"], pairs.Select(p => Path.GetFileName(p.Source)));
    }

    private static Dictionary<string, object> Turn(string role, string content) => new() { ["role"] = role, ["content"] = content };

    private static byte[] Gzip(string text)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return compressed.ToArray();
    }
}
