using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Data.Tests.Tables;

/// <summary>The reader decodes row groups ahead on other threads and may skip columns; what it returns must not change.</summary>
public sealed class TableReadAheadTests
{
    private sealed record Row(long N, string? Text, string Format, byte[]? Payload);

    private static readonly TableSchema<Row> Schema = new TableSchema<Row>()
        .Long("n", r => r.N).String("text", r => r.Text).String("format", r => r.Format).Bytes("payload", r => r.Payload);

    /// <summary>Row i: multi-byte UTF-8 (é, CJK, an emoji outside the BMP), every 7th text null, every 5th empty, a repeated short format.</summary>
    private static Row Make(int i) => new(
        i * 31L,
        i % 7 == 3 ? null : i % 5 == 0 ? "" : $"row {i} é 漢字 😀 {new string('x', i % 300)}",
        i % 11 == 0 ? "messages" : "text",
        i % 13 == 0 ? null : BitConverter.GetBytes(i));

    private static async Task WriteAsync(PipelineHarness harness, string name, IEnumerable<Row> rows, int rowGroupRows)
    {
        await using var writer = await ParquetTableWriter<Row>.CreateAsync(harness.Storage, name, Schema, rowGroupRows, TestContext.Current.CancellationToken);
        foreach (var row in rows)
        {
            await writer.WriteAsync(row, TestContext.Current.CancellationToken);
        }

        await writer.CompleteAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Rows_of_many_row_groups_come_back_in_file_order_with_every_value_even_for_a_slow_reader()
    {
        using var harness = new PipelineHarness();
        var first = Enumerable.Range(0, 2_500).Select(Make).ToList();
        var second = Enumerable.Range(2_500, 1_000).Select(Make).ToList();
        await WriteAsync(harness, "a.parquet", first, rowGroupRows: 97);
        await WriteAsync(harness, "b.parquet", second, rowGroupRows: 1_000);

        var read = new List<Row>();
        await foreach (var row in ParquetTableReader.ReadAllAsync(harness.Storage, ["a.parquet", "b.parquet"], TestContext.Current.CancellationToken))
        {
            if (read.Count % 200 == 0)
            {
                // A reader that pauses lets the decoders run ahead to their limit.
                await Task.Delay(5, TestContext.Current.CancellationToken);
            }

            read.Add(new Row(row.Long("n"), row.String("text"), row.String("format")!, row.Bytes("payload")));
        }

        var expected = first.Concat(second).ToList();
        Assert.Equal(expected.Count, read.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].N, read[i].N);
            Assert.Equal(expected[i].Text, read[i].Text);
            Assert.Equal(expected[i].Format, read[i].Format);
            Assert.Equal(expected[i].Payload, read[i].Payload);
        }
    }

    [Fact]
    public async Task Named_columns_are_read_alone_and_the_others_are_absent_rather_than_empty()
    {
        using var harness = new PipelineHarness();
        await WriteAsync(harness, "t.parquet", Enumerable.Range(0, 300).Select(Make), rowGroupRows: 64);

        var texts = new List<string?>();
        TableRow? last = null;
        await foreach (var row in ParquetTableReader.ReadAsync(harness.Storage, "t.parquet", ["text", "no_such_column"], TestContext.Current.CancellationToken))
        {
            texts.Add(row.String("text"));
            last = row;
        }

        Assert.Equal(Enumerable.Range(0, 300).Select(i => Make(i).Text), texts);
        Assert.NotNull(last);
        Assert.True(last.Has("text"));
        Assert.False(last.Has("n"));
        Assert.False(last.Has("no_such_column"));
        var error = Assert.Throws<InvalidDataException>(() => last.Long("n"));
        Assert.Contains("no column 'n' (columns: text)", error.Message);
        Assert.Equal("{\"text\":" + System.Text.Json.JsonSerializer.Serialize(Make(299).Text) + "}", last.ToJson().ToJsonString());
    }

    [Fact]
    public async Task A_reader_that_stops_early_releases_the_file_so_it_can_be_read_again()
    {
        using var harness = new PipelineHarness();
        await WriteAsync(harness, "t.parquet", Enumerable.Range(0, 1_000).Select(Make), rowGroupRows: 50);

        int seen = 0;
        await foreach (var row in ParquetTableReader.ReadAsync(harness.Storage, "t.parquet", TestContext.Current.CancellationToken))
        {
            if (++seen == 120)
            {
                break;
            }
        }

        await harness.Storage.DeleteAsync("t.parquet", TestContext.Current.CancellationToken);
        Assert.False(await harness.Storage.ExistsAsync("t.parquet", TestContext.Current.CancellationToken));
        await WriteAsync(harness, "t.parquet", Enumerable.Range(0, 10).Select(Make), rowGroupRows: 50);
        Assert.Equal(10, await ParquetTableReader.CountAsync(harness.Storage, "t.parquet", TestContext.Current.CancellationToken));
    }
}
