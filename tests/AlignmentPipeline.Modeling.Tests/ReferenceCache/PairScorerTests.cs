using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.ReferenceCache;

namespace AlignmentPipeline.Modeling.Tests.ReferenceCache;

public sealed class PairScorerTests : IDisposable
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

    // Prompts of 1…30 tokens, completions of 0…20; the last pair's packed row (30 + 20 + 20 = 70) is longer than the model's 64 positions.
    private static EncodedPair[] Pairs => [Pair(1, 5, 9, 3), Pair(2, 17, 2, 11), Pair(3, 1, 6, 6), Pair(4, 9, 0, 4), Pair(5, 12, 14, 1), Pair(6, 30, 20, 20)];

    [Theory]
    [InlineData(1)] // one pair per forward
    [InlineData(10_000)] // everything in one forward per path
    public void Prefix_sharing_gives_the_unshared_values(int batchTokens)
    {
        var pairs = Pairs;
        var plain = new PairScorer(model, batchTokens, prefixSharing: false).Score(pairs);
        var shared = new PairScorer(model, batchTokens, prefixSharing: true).Score(pairs);

        foreach (var (a, b) in plain.Zip(shared))
        {
            Assert.Equal((a.Chosen.TokenCount, a.Rejected.TokenCount), (b.Chosen.TokenCount, b.Rejected.TokenCount));
            Assert.InRange(Math.Abs(a.ChosenSum - b.ChosenSum), 0, Fp32Tolerance);
            Assert.InRange(Math.Abs(a.RejectedSum - b.RejectedSum), 0, Fp32Tolerance);
            Assert.All(a.Chosen.TokenLogProbs.Zip(b.Chosen.TokenLogProbs), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, Fp32Tolerance));
            Assert.All(a.Rejected.TokenLogProbs.Zip(b.Rejected.TokenLogProbs), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, Fp32Tolerance));
        }
    }

    [Fact]
    public void One_pair_per_forward_runs_the_prompt_twice_unshared_and_once_shared()
    {
        var pairs = Pairs;
        var plain = new PairScorer(model, 1, prefixSharing: false);
        var shared = new PairScorer(model, 1, prefixSharing: true);
        plain.Score(pairs);
        shared.Score(pairs);

        // Unshared: two rows per pair, each padded to the pair's longer sequence.
        Assert.Equal(pairs.Sum(p => 2L * (p.PromptIds.Count + Math.Max(p.ChosenIds.Count, p.RejectedIds.Count))), plain.Positions);
        // Shared: one row per pair, prompt + chosen + rejected with no padding.
        Assert.Equal(pairs.Sum(p => (long)p.PromptIds.Count + p.ChosenIds.Count + p.RejectedIds.Count), shared.Positions);
        Assert.Equal((pairs.Length, pairs.Length), (plain.Forwards, shared.Forwards));
    }
}
