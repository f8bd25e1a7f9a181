using AlignmentPipeline.Data.Tables;
using AlignmentPipeline.Modeling.ReferenceCache;

namespace AlignmentPipeline.Evaluation.Tests.Stages;

public sealed class ImplicitRewardCacheCoverageTests
{
    [Fact]
    public async Task Implicit_reward_refuses_a_cache_that_lost_a_row_of_its_input_naming_the_id()
    {
        using var pipeline = new StagePipeline();
        var (a, _) = GenerateEvaluateStageTests.SaveModels(pipeline);
        var upstream = ImplicitRewardStageTests.PairsAndCache(pipeline, a, "max_length: 128");
        var cache = (await pipeline.RunAsync(upstream))["ref"];

        // Rewrite the cache's part without its third row, as a lost or truncated part would leave it.
        var rows = new List<CachedPair>();
        await foreach (var row in ParquetTableReader.ReadAllAsync(pipeline.Storage, cache.Parts, TestContext.Current.CancellationToken))
        {
            rows.Add(ReferenceCacheTable.FromRow(row));
        }

        await using (var writer = await ParquetTableWriter<CachedPair>.CreateAsync(pipeline.Storage, cache.Parts[0], ReferenceCacheTable.Schema(perToken: false), cancellationToken: TestContext.Current.CancellationToken))
        {
            foreach (var row in rows.Where((_, i) => i != 2))
            {
                await writer.WriteAsync(row, TestContext.Current.CancellationToken);
            }

            await writer.CompleteAsync(TestContext.Current.CancellationToken);
        }

        var error = await Assert.ThrowsAnyAsync<Exception>(() => pipeline.RunAsync(upstream + $$"""
               eval:
                 kind: evaluate
                 input: ref
                 judge: { type: implicit_reward, policy: {{a}} }
             """));
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        Assert.Contains(
            $"eval: the reference cache 'ref' is incomplete: 1 of the 7 pairs of its input stage 'pairs' are neither cached nor quarantined " +
            $"({rows[2].Pair.Id}). Recompute it: rerun the ref-logprobs stage with 'align run <pipeline> --force ref'", string.Join("\n", messages));
    }
}
