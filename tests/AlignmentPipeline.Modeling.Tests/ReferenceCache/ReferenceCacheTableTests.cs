using AlignmentPipeline.Core;
using AlignmentPipeline.Data.Tables;
using AlignmentPipeline.Modeling.ReferenceCache;

namespace AlignmentPipeline.Modeling.Tests.ReferenceCache;

public sealed class ReferenceCacheTableTests
{
    [Fact]
    public async Task Per_token_logprobs_are_binary_float32_little_endian_values_that_sum_to_the_cached_sums()
    {
        using var h = new CacheHarness();
        var result = await h.RunAsync(h.WritePairs(5, seed: 14), "per_token: true");
        var cached = await result.RowsAsync();
        var k = 0;
        await foreach (var row in ParquetTableReader.ReadAllAsync(h.Storage, result.Cache.Parts, TestContext.Current.CancellationToken))
        {
            foreach (var (column, values, sum, tokens) in new[]
            {
                ("ref_chosen_token_logps", cached[k].ChosenTokenLogps!, cached[k].RefChosenLogp, cached[k].ChosenTokens),
                ("ref_rejected_token_logps", cached[k].RejectedTokenLogps!, cached[k].RefRejectedLogp, cached[k].RejectedTokens),
            })
            {
                var bytes = row.Bytes(column)!;
                // Decoded here byte by byte (IEEE 754 binary32, least significant byte first), not with the cache's reader.
                var floats = Enumerable.Range(0, bytes.Length / 4)
                    .Select(i => BitConverter.Int32BitsToSingle(bytes[4 * i] | bytes[4 * i + 1] << 8 | bytes[4 * i + 2] << 16 | bytes[4 * i + 3] << 24))
                    .ToArray();
                Assert.Equal(4 * tokens, bytes.Length);
                Assert.Equal(values, floats);
                Assert.Equal(sum, floats.Sum(f => (double)f)); // the same float64 sum, in the same order
            }

            k++;
        }

        Assert.Equal(5, k);
    }

    [Fact]
    public async Task A_cache_holding_base64_per_token_text_is_refused_with_a_rerun_hint()
    {
        using var h = new CacheHarness();
        var result = await h.RunAsync(h.WritePairs(2, seed: 15));
        var rows = await result.RowsAsync();
        // The version-1 layout: the same values as base64 text in string columns.
        var version1 = ReferenceCacheTable.Schema(perToken: false)
            .String("ref_chosen_token_logps", _ => Convert.ToBase64String(BitConverter.GetBytes(-0.5f)))
            .String("ref_rejected_token_logps", _ => Convert.ToBase64String(BitConverter.GetBytes(-1.5f)));
        await using (var writer = await ParquetTableWriter<CachedPair>.CreateAsync(h.Storage, "v1/part-00000.parquet", version1, cancellationToken: TestContext.Current.CancellationToken))
        {
            await writer.WriteAsync(rows[0], TestContext.Current.CancellationToken);
            await writer.CompleteAsync(TestContext.Current.CancellationToken);
        }

        var row = await ParquetTableReader.ReadAsync(h.Storage, "v1/part-00000.parquet", TestContext.Current.CancellationToken).FirstAsync(TestContext.Current.CancellationToken);
        var error = Assert.Throws<UserErrorException>(() => ReferenceCacheTable.FromRow(row));

        Assert.Contains("'ref_chosen_token_logps' column holds text", error.Message);
        Assert.Contains("rerun the ref-logprobs stage", error.Message);
    }
}
