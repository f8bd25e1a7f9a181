using AlignmentPipeline.Data.Tables;
using AlignmentPipeline.Modeling.ReferenceCache;

namespace AlignmentPipeline.Modeling.Tests.ReferenceCache;

public sealed class CacheVerifierTests
{
    [Fact]
    public async Task A_fresh_cache_verifies_with_a_live_difference_under_1e5()
    {
        using var h = new CacheHarness();
        var result = await h.RunAsync(h.WritePairs(15, seed: 2), "max_length: 40");
        var verification = await CacheVerifier.VerifyAsync(h.Storage, result.Record.RunId, "ref", new CacheVerifierOptions(Sample: 10, Device: "cpu"), TestContext.Current.CancellationToken);

        Assert.True(verification.Ok, string.Join("\n", verification.Problems));
        Assert.Equal(15, verification.Rows);
        Assert.Equal(10, verification.Sampled);
        Assert.InRange(verification.MaxAbsDifference, 0, 1e-5);
    }

    [Fact]
    public async Task Tampered_values_missing_rows_and_wrong_token_counts_are_each_reported()
    {
        using var h = new CacheHarness();
        var result = await h.RunAsync(h.WritePairs(6, seed: 4));
        var rows = await result.RowsAsync();

        // Rewrite the part: drop p005, make p000 positive, p001 NaN, p002 off by 0.01, p003 with a wrong token count.
        var tampered = rows.Where(r => r.Pair.Id != "p005").Select(r => r.Pair.Id switch
        {
            "p000" => r with { RefChosenLogp = 0.5 },
            "p001" => r with { RefRejectedLogp = double.NaN },
            "p002" => r with { RefChosenLogp = r.RefChosenLogp + 0.01 },
            "p003" => r with { RejectedTokens = r.RejectedTokens + 1 },
            _ => r,
        }).ToList();
        await using (var writer = await ParquetTableWriter<CachedPair>.CreateAsync(h.Storage, result.Cache.Parts[0], ReferenceCacheTable.Schema(perToken: false), cancellationToken: TestContext.Current.CancellationToken))
        {
            foreach (var row in tampered)
            {
                await writer.WriteAsync(row, TestContext.Current.CancellationToken);
            }

            await writer.CompleteAsync(TestContext.Current.CancellationToken);
        }

        var verification = await CacheVerifier.VerifyAsync(h.Storage, "latest", "ref", new CacheVerifierOptions(Sample: 100, Device: "cpu"), TestContext.Current.CancellationToken);
        var problems = string.Join("\n", verification.Problems);

        Assert.False(verification.Ok);
        Assert.Contains("pair p000: ref_chosen_logp is 0.5, but a log-probability is never positive", problems);
        Assert.Contains("pair p001: ref_rejected_logp is NaN", problems);
        Assert.Contains("pair p002: cached chosen log-prob", problems);
        Assert.Contains("pair p003: cached token counts", problems);
        Assert.Contains("pair p005 of input stage 'pairs' is neither cached nor quarantined", problems);
        Assert.DoesNotContain("p004", problems);
        Assert.InRange(verification.MaxAbsDifference, 0.0099, double.PositiveInfinity);
    }
}
