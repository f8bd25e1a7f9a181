using System.Runtime.InteropServices;
using AlignmentPipeline.Data.Tables;
using Parquet;

namespace AlignmentPipeline.Data.Tests.Tables;

public sealed class TableRoundTripTests
{
    private sealed record Blob(string? Name, byte[]? Payload);

    [Fact]
    public async Task Strings_and_bytes_round_trip_keeping_null_distinct_from_empty()
    {
        using var harness = new PipelineHarness();
        var schema = new TableSchema<Blob>().String("name", b => b.Name).Bytes("payload", b => b.Payload);
        float[] logps = [-0.5f, -1.25f, float.MinValue, 0f];
        var blobs = new List<Blob>
        {
            new("floats", MemoryMarshal.AsBytes(logps.AsSpan()).ToArray()),
            new("null", null),
            new("empty", []),
            new("all-bytes", Enumerable.Range(0, 256).Select(i => (byte)i).ToArray()),
            new(null, [1]),
            new("", [2]),
        };
        for (int i = 0; i < 3000; i++)
        {
            blobs.Add(new Blob($"row-{i}", BitConverter.GetBytes(i * 7919)));
        }

        await using (var writer = await ParquetTableWriter<Blob>.CreateAsync(harness.Storage, "blobs.parquet", schema, rowGroupRows: 1000, TestContext.Current.CancellationToken))
        {
            foreach (var blob in blobs)
            {
                await writer.WriteAsync(blob, TestContext.Current.CancellationToken);
            }

            await writer.CompleteAsync(TestContext.Current.CancellationToken);
        }

        var read = new List<Blob>();
        await foreach (var row in ParquetTableReader.ReadAsync(harness.Storage, "blobs.parquet", TestContext.Current.CancellationToken))
        {
            read.Add(new Blob(row.String("name"), row.Bytes("payload")));
        }

        Assert.Equal(blobs.Count, read.Count);
        for (int i = 0; i < blobs.Count; i++)
        {
            Assert.Equal(blobs[i].Name, read[i].Name);
            Assert.Equal(blobs[i].Payload, read[i].Payload);
        }

        Assert.Equal(logps, MemoryMarshal.Cast<byte, float>(read[0].Payload).ToArray());
    }

    private sealed record Scalars(long L, int I, double D, bool B, string Text);

    [Fact]
    public async Task Row_groups_end_at_the_row_cap_or_the_byte_budget_and_keep_every_value()
    {
        using var harness = new PipelineHarness();
        var schema = new TableSchema<Scalars>().Long("l", s => s.L).Int("i", s => s.I).Double("d", s => s.D).Bool("b", s => s.B).String("text", s => s.Text);

        // 20 rows of 2^20 characters (2 MiB in UTF-16): the 32 MiB budget is reached at row 16, well before the row cap.
        var big = Enumerable.Range(0, 20).Select(i => new Scalars(long.MaxValue - i, -i, i / 3.0, i % 2 == 0, new string((char)('a' + i), 1 << 20))).ToList();
        // 2,500 small rows under a cap of 1,000 rows: three row groups.
        var small = Enumerable.Range(0, 2500).Select(i => new Scalars(i * 1_000_000_007L, i, -i * 0.25, i % 3 == 0, $"row {i}")).ToList();
        foreach (var (name, rows) in new[] { ("big.parquet", big), ("small.parquet", small) })
        {
            await using (var writer = await ParquetTableWriter<Scalars>.CreateAsync(harness.Storage, name, schema, rowGroupRows: 1000, TestContext.Current.CancellationToken))
            {
                foreach (var row in rows)
                {
                    await writer.WriteAsync(row, TestContext.Current.CancellationToken);
                }

                await writer.CompleteAsync(TestContext.Current.CancellationToken);
            }

            var read = new List<Scalars>();
            await foreach (var row in ParquetTableReader.ReadAsync(harness.Storage, name, TestContext.Current.CancellationToken))
            {
                read.Add(new Scalars(row.Long("l"), row.Int("i"), row.Double("d"), row.Bool("b"), row.String("text")!));
            }

            Assert.Equal(rows, read);
        }

        Assert.Equal(new long[] { 16, 4 }, await RowGroupSizesAsync(harness, "big.parquet"));
        Assert.Equal(new long[] { 1000, 1000, 500 }, await RowGroupSizesAsync(harness, "small.parquet"));
    }

    private static async Task<long[]> RowGroupSizesAsync(PipelineHarness harness, string name)
    {
        await using var stream = await harness.Storage.OpenReadAsync(name, TestContext.Current.CancellationToken);
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: TestContext.Current.CancellationToken);
        return Enumerable.Range(0, reader.RowGroupCount).Select(g => reader.OpenRowGroupReader(g).RowCount).ToArray();
    }
}
