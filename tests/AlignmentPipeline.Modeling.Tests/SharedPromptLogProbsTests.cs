using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Models;

namespace AlignmentPipeline.Modeling.Tests;

public sealed class SharedPromptLogProbsTests
{
    private const double Fp32Tolerance = 1e-5;

    private static SharedPromptRequest Row(int seed, int prompt, params int[] completions)
    {
        var tokens = TestModels.RandomTokens(prompt + completions.Sum(), 37, seed);
        var starts = completions.Select((_, k) => prompt + completions.Take(k).Sum()).ToArray();
        return new SharedPromptRequest(tokens[..prompt], [.. completions.Select((length, k) => tokens[starts[k]..(starts[k] + length)])]);
    }

    // Prompts of 1…30 tokens; two completions each (one of them empty), one row with three completions, and one row of
    // 30 + 25 + 25 = 80 tokens, longer than the models' 64 positions (each prompt + completion fits).
    private static SharedPromptRequest[] Rows => [Row(1, 5, 9, 3), Row(2, 17, 2, 11), Row(3, 1, 6, 6), Row(4, 9, 0, 4), Row(5, 12, 14, 1, 7), Row(6, 30, 25, 25)];

    public static TheoryData<string> Models => ["llama", "gpt2"];

    private static ICausalLanguageModel Model(string kind) => kind == "llama"
        ? TestModels.Randomized(new LlamaModel(TestModels.Llama() with { Rotation = RopeRotation.Interleaved }), 31)
        : TestModels.Randomized(new Gpt2Model(TestModels.Gpt2() with { VocabSize = 37 }), 31);

    [Theory]
    [MemberData(nameof(Models))]
    public void A_packed_row_scores_each_completion_as_its_own_padded_sequence(string kind)
    {
        using var model = Model(kind);
        var rows = Rows;
        // All rows in one forward (right-padded to the longest packed row), and each row alone.
        var together = CompletionLogProbs.ComputeSharedPrompt(model, rows, LogProbMode.Inference).ToSequences();
        var alone = rows.SelectMany(r => CompletionLogProbs.ComputeSharedPrompt(model, [r], LogProbMode.Inference).ToSequences()).ToList();
        // The independent computation: every (prompt, completion) as an ordinary sequence, one per forward.
        var expected = rows.SelectMany(r => r.Completions.Select(c =>
            CompletionLogProbs.Compute(model, [new LogProbRequest(r.PromptIds, c)], LogProbMode.Inference).ToSequences()[0])).ToList();

        Assert.Equal(expected.Count, together.Count);
        Assert.Equal(expected.Select(e => e.TokenCount), together.Select(s => s.TokenCount));
        foreach (var (e, t, a) in expected.Zip(together, alone))
        {
            Assert.InRange(Math.Abs(e.Sum - t.Sum), 0, Fp32Tolerance);
            Assert.InRange(Math.Abs(e.Sum - a.Sum), 0, Fp32Tolerance);
            Assert.All(e.TokenLogProbs.Zip(t.TokenLogProbs), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, Fp32Tolerance));
        }

        Assert.Equal(0, together[6].Sum); // row 3's empty first completion
        Assert.True(expected.Where(e => e.TokenCount > 0).All(e => e.Sum < 0));
    }

    [Fact]
    public void A_completion_whose_positions_exceed_the_model_is_refused()
    {
        using var model = Model("llama");
        var error = Assert.Throws<ArgumentException>(() => CompletionLogProbs.ComputeSharedPrompt(model, [Row(8, 40, 30, 1)], LogProbMode.Inference));
        Assert.Contains("position id 69 exceeds the model's 64 positions", error.Message);
    }

    [Fact]
    public void A_later_completion_does_not_see_an_earlier_one()
    {
        using var model = Model("llama");
        var row = Row(7, 4, 6, 5);
        var otherFirst = row with { Completions = [TestModels.RandomTokens(6, 37, 99), row.Completions[1]] };

        var a = CompletionLogProbs.ComputeSharedPrompt(model, [row], LogProbMode.Inference).ToSequences();
        var b = CompletionLogProbs.ComputeSharedPrompt(model, [otherFirst], LogProbMode.Inference).ToSequences();

        Assert.NotEqual(a[0].Sum, b[0].Sum, 3); // the first completion changed…
        Assert.All(a[1].TokenLogProbs.Zip(b[1].TokenLogProbs), p => Assert.Equal(p.First, p.Second, 6)); // …the second did not notice
    }

    [Fact]
    public void Gradients_reach_the_model_in_train_mode()
    {
        using var model = Model("llama");
        var batch = CompletionLogProbs.ComputeSharedPrompt(model, [Rows[0]], LogProbMode.Train);
        batch.Sums.sum().backward();

        Assert.Contains(model.NamedParameters(), p => p.Parameter.grad is { } g && g.abs().sum().item<float>() > 0);
    }
}
