using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.ReferenceCache;

namespace AlignmentPipeline.Modeling.Tests.ReferenceCache;

public sealed class PrefixSharedLogProbsTests : IDisposable
{
    private const double Fp32Tolerance = 1e-5;
    private readonly LlamaModel model = TestModels.Randomized(new LlamaModel(TestModels.Llama() with { Rotation = RopeRotation.Interleaved }), 31);

    public void Dispose() => model.Dispose();

    private static EncodedPair Pair(int seed, int prompt, int chosen, int rejected)
    {
        var tokens = TestModels.RandomTokens(prompt + chosen + rejected, 37, seed);
        var promptIds = tokens[..prompt];
        return new EncodedPair(promptIds, tokens[prompt..(prompt + chosen)], tokens[(prompt + chosen)..], promptIds, promptIds, PrefixMismatch: false);
    }

    // Prompts of 1…17 tokens, completions of 0…14, one empty completion.
    private static EncodedPair[] Pairs => [Pair(1, 5, 9, 3), Pair(2, 17, 2, 11), Pair(3, 1, 6, 6), Pair(4, 9, 0, 4), Pair(5, 12, 14, 1)];

    [Theory]
    [InlineData(10_000)] // one completion sub-batch
    [InlineData(40)] // a sub-batch per completion or two
    public void Prompts_and_completions_of_different_lengths_score_as_the_unshared_path(int tokenBudget)
    {
        var pairs = Pairs;
        var (shared, forwards, _) = PrefixSharedLogProbs.Compute(model, pairs, tokenBudget);

        for (var i = 0; i < pairs.Length; i++)
        {
            var unshared = CompletionLogProbs.Compute(model,
                [new LogProbRequest(pairs[i].PromptIds, pairs[i].ChosenIds), new LogProbRequest(pairs[i].PromptIds, pairs[i].RejectedIds)],
                LogProbMode.Inference).ToSequences();
            Assert.InRange(Math.Abs(shared[i].Chosen.Sum - unshared[0].Sum), 0, Fp32Tolerance);
            Assert.InRange(Math.Abs(shared[i].Rejected.Sum - unshared[1].Sum), 0, Fp32Tolerance);
            Assert.Equal((unshared[0].TokenCount, unshared[1].TokenCount), (shared[i].Chosen.TokenCount, shared[i].Rejected.TokenCount));
            Assert.All(shared[i].Chosen.TokenLogProbs.Zip(unshared[0].TokenLogProbs), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, Fp32Tolerance));
            Assert.All(shared[i].Rejected.TokenLogProbs.Zip(unshared[1].TokenLogProbs), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, Fp32Tolerance));
        }

        Assert.Equal(0, shared[3].Chosen.Sum);
        // Prompt chunks under the budget plus the completion sub-batches that hold a token (the empty completion needs none).
        var promptChunks = LengthBuckets.Plan([.. pairs.Select(p => p.PromptIds.Count)], tokenBudget).Count;
        Assert.Equal(promptChunks + PrefixSharedLogProbs.CompletionPlan(pairs, tokenBudget, 64).Count(b => b.Any(s => s != 6)), forwards);
        Assert.Equal(tokenBudget == 40 ? 2 : 1, promptChunks);
    }

    [Fact]
    public void Prompt_groups_hold_up_to_group_budgets_of_prompt_tokens()
    {
        var pairs = Pairs;
        var groups = PrefixSharedLogProbs.Plan(pairs, tokenBudget: 8);
        var limit = PrefixSharedLogProbs.GroupBudgets * 8;

        Assert.Equal(Enumerable.Range(0, pairs.Length), groups.SelectMany(g => g).Order());
        Assert.All(groups.Where(g => g.Length > 1), g => Assert.InRange(g.Length * g.Max(i => pairs[i].PromptIds.Count), 0, limit));
        Assert.Equal([1], groups[0]); // longest prompt (17) first, alone: 2 × 17 > 4 × 8
        Assert.Equal([4, 3], groups[1]); // 12 and 9: 2 × 12 ≤ 32 < 3 × 12
    }

    [Fact]
    public void Completion_sub_batches_respect_the_budget_and_the_model_length_and_pad_only_among_similar_lengths()
    {
        var pairs = Pairs;
        var batches = PrefixSharedLogProbs.CompletionPlan(pairs, tokenBudget: 60, maxSequenceLength: 30);
        int Completion(int s) => s % 2 == 0 ? pairs[s / 2].ChosenIds.Count : pairs[s / 2].RejectedIds.Count;

        Assert.Equal(Enumerable.Range(0, 2 * pairs.Length), batches.SelectMany(b => b).Order());
        foreach (var batch in batches.Where(b => b.Length > 1))
        {
            var width = batch.Max(s => pairs[s / 2].PromptIds.Count) + batch.Max(Completion);
            Assert.InRange(batch.Length * width, 0, 60);
            Assert.InRange(width, 0, 30);
        }

        // Longest completions first, each batch a contiguous run of that order: no batch pads a short completion to a
        // length that a later batch holds.
        Assert.All(batches.Zip(batches.Skip(1)), p => Assert.True(p.First.Min(Completion) >= p.Second.Max(Completion)));
    }
}
