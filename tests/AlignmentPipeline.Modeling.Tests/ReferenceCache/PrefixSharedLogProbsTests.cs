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

    [Fact]
    public void Prompts_of_different_lengths_in_one_group_score_as_the_unshared_path()
    {
        // Left-padded prompts (1…17 tokens), right-padded completions, one empty completion.
        EncodedPair[] pairs = [Pair(1, 5, 9, 3), Pair(2, 17, 2, 11), Pair(3, 1, 6, 6), Pair(4, 9, 0, 4), Pair(5, 12, 14, 1)];
        var shared = PrefixSharedLogProbs.Compute(model, pairs);

        for (var i = 0; i < pairs.Length; i++)
        {
            var unshared = CompletionLogProbs.Compute(model,
                [new LogProbRequest(pairs[i].PromptIds, pairs[i].ChosenIds), new LogProbRequest(pairs[i].PromptIds, pairs[i].RejectedIds)],
                LogProbMode.Inference).ToSequences();
            Assert.InRange(Math.Abs(shared[i].Chosen.Sum - unshared[0].Sum), 0, Fp32Tolerance);
            Assert.InRange(Math.Abs(shared[i].Rejected.Sum - unshared[1].Sum), 0, Fp32Tolerance);
            Assert.Equal(unshared[0].TokenCount, shared[i].Chosen.TokenCount);
            Assert.All(shared[i].Rejected.TokenLogProbs.Zip(unshared[1].TokenLogProbs), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, Fp32Tolerance));
        }

        Assert.Equal(0, shared[3].Chosen.Sum);
    }

    [Fact]
    public void Groups_respect_the_token_budget_and_the_model_length()
    {
        EncodedPair[] pairs = [Pair(1, 5, 9, 3), Pair(2, 17, 2, 11), Pair(3, 1, 6, 6), Pair(4, 9, 0, 4), Pair(5, 12, 14, 1)];
        var groups = PrefixSharedLogProbs.Plan(pairs, tokenBudget: 120, maxSequenceLength: 30);

        Assert.Equal(Enumerable.Range(0, pairs.Length), groups.SelectMany(g => g).Order());
        foreach (var group in groups.Where(g => g.Length > 1))
        {
            var width = group.Max(i => pairs[i].PromptIds.Count) + group.Max(i => Math.Max(pairs[i].ChosenIds.Count, pairs[i].RejectedIds.Count));
            Assert.InRange(2 * group.Length * width, 0, 120);
            Assert.InRange(width, 0, 30);
        }
    }
}
