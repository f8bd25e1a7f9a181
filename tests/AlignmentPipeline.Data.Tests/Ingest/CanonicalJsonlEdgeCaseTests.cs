using System.IO.Compression;
using System.Text;

namespace AlignmentPipeline.Data.Tests.Ingest;

public sealed class CanonicalJsonlEdgeCaseTests
{
    private const string Row = """{"prompt":"p","chosen":"good","rejected":"bad"}""";

    [Fact]
    public async Task Empty_file_produces_an_empty_part_and_no_quarantine_rows()
    {
        using var harness = new PipelineHarness();
        var outputs = await IngestRun.RunAsync(harness, harness.WriteFile("empty.jsonl", ""));

        Assert.Empty(await outputs.PairsAsync("ingest"));
        Assert.Empty(await outputs.QuarantineAsync("ingest"));
        var stats = await outputs.StatsAsync("ingest");
        Assert.Equal(0, stats["rows_in"]!.GetValue<long>());
        Assert.Single(outputs["ingest"].Parts);
    }

    [Fact]
    public async Task Byte_order_mark_before_the_first_row_is_skipped()
    {
        using var harness = new PipelineHarness();
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Row + "\n" + Row.Replace("good", "fine") + "\n")];
        var outputs = await IngestRun.RunAsync(harness, harness.WriteFile("bom.jsonl", bytes));

        var pairs = await outputs.PairsAsync("ingest");
        Assert.Equal(["good", "fine"], pairs.Select(p => p.Chosen));
        Assert.Empty(await outputs.QuarantineAsync("ingest"));
    }

    [Fact]
    public async Task Crlf_line_endings_leave_no_carriage_return_in_values_and_count_lines_like_lf()
    {
        using var harness = new PipelineHarness();
        string text = Row + "\r\n\r\n" + "{bad json\r\n" + Row.Replace("good", "fine") + "\r\n";
        var outputs = await IngestRun.RunAsync(harness, harness.WriteFile("crlf.jsonl", text));

        var pairs = await outputs.PairsAsync("ingest");
        Assert.Equal(["good", "fine"], pairs.Select(p => p.Chosen));
        Assert.Equal(["crlf.jsonl:1", "crlf.jsonl:4"], pairs.Select(p => Path.GetFileName(p.Source)));
        var bad = Assert.Single(await outputs.QuarantineAsync("ingest"));
        Assert.Equal(("invalid_json", "crlf.jsonl:3"), (bad.Reason, Path.GetFileName(bad.Source)));
        Assert.Equal(1, (await outputs.StatsAsync("ingest"))["blank_lines"]!.GetValue<long>());
    }

    [Fact]
    public async Task Invalid_utf8_line_is_quarantined_and_the_following_rows_still_ingest()
    {
        using var harness = new PipelineHarness();
        byte[] bytes = [.. Encoding.UTF8.GetBytes(Row + "\n"), .. Encoding.UTF8.GetBytes("{\"prompt\":\"p\",\"chosen\":\"x"), 0xC3, 0x28,
            .. Encoding.UTF8.GetBytes("\",\"rejected\":\"y\"}\n" + Row.Replace("good", "fine") + "\n")];
        var outputs = await IngestRun.RunAsync(harness, harness.WriteFile("utf8.jsonl", bytes));

        Assert.Equal(["good", "fine"], (await outputs.PairsAsync("ingest")).Select(p => p.Chosen));
        var bad = Assert.Single(await outputs.QuarantineAsync("ingest"));
        Assert.Equal(("invalid_utf8", "utf8.jsonl:2"), (bad.Reason, Path.GetFileName(bad.Source)));
        Assert.Equal(1, (await outputs.StatsAsync("ingest"))["dropped"]!["invalid_utf8"]!.GetValue<long>());
    }

    [Fact]
    public async Task Ten_megabyte_line_ingests_whole()
    {
        using var harness = new PipelineHarness();
        string huge = new string('a', 10 * 1024 * 1024);
        string text = Row + "\n" + $$"""{"prompt":"long","chosen":"{{huge}}","rejected":"short"}""" + "\n" + Row.Replace("good", "fine");
        var outputs = await IngestRun.RunAsync(harness, harness.WriteFile("huge.jsonl", text));

        var pairs = await outputs.PairsAsync("ingest");
        Assert.Equal(3, pairs.Count);
        Assert.Equal(huge.Length, pairs[1].Chosen.Length);
        Assert.Equal("fine", pairs[2].Chosen);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Truncated_gzip_keeps_the_rows_before_the_damage_and_quarantines_the_truncation(bool cutAtLineEnd)
    {
        using var harness = new PipelineHarness();
        var text = new StringBuilder();
        for (int i = 0; i < 2000; i++)
        {
            text.Append($$"""{"prompt":"prompt {{i}}","chosen":"good {{i}} {{Guid.NewGuid()}}","rejected":"bad {{i}}"}""").Append('\n');
        }

        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text.ToString()));
        }

        byte[] whole = compressed.ToArray();
        byte[] cut = cutAtLineEnd ? GzipOfPrefix(text.ToString(), lines: 1000) : whole[..(whole.Length / 2)];
        var outputs = await IngestRun.RunAsync(harness, harness.WriteFile("cut.jsonl.gz", cut));

        var pairs = await outputs.PairsAsync("ingest");
        Assert.InRange(pairs.Count, 1, 1999);
        Assert.Equal(Enumerable.Range(0, pairs.Count).Select(i => $"prompt {i}"), pairs.Select(p => p.Prompt));
        var damage = Assert.Single(await outputs.QuarantineAsync("ingest"));
        Assert.Equal("truncated_input", damage.Reason);
        Assert.EndsWith($":{pairs.Count + 1}", damage.Source);
    }

    /// <summary>A gzip stream of the first lines, flushed but never finished: the data ends exactly at a line end and the trailer is missing.</summary>
    private static byte[] GzipOfPrefix(string text, int lines)
    {
        string prefix = string.Concat(text.Split('\n').Take(lines).Select(l => l + "\n"));
        using var compressed = new MemoryStream();
        var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true);
        gzip.Write(Encoding.UTF8.GetBytes(prefix));
        gzip.Flush();
        return compressed.ToArray();
    }
}
