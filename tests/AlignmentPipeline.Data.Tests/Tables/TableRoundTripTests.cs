using System.Runtime.InteropServices;
using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Data.Tests.Tables;

public sealed class ByteColumnTests
{
    private sealed record Blob(string Name, byte[]? Payload);

    [Fact]
    public async Task Byte_columns_round_trip_including_null_and_empty_values()
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
            read.Add(new Blob(row.String("name")!, row.Bytes("payload")));
        }

        Assert.Equal(blobs.Count, read.Count);
        for (int i = 0; i < blobs.Count; i++)
        {
            Assert.Equal(blobs[i].Name, read[i].Name);
            Assert.Equal(blobs[i].Payload, read[i].Payload);
        }

        Assert.Equal(logps, MemoryMarshal.Cast<byte, float>(read[0].Payload).ToArray());
    }
}
