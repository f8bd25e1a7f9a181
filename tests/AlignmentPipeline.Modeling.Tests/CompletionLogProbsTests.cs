using AlignmentPipeline.TestSupport;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Modeling.Tests.Tokenization;
using AlignmentPipeline.Modeling.Tokenization;
using static TorchSharp.torch;

namespace AlignmentPipeline.Modeling.Tests;

public sealed class CompletionLogProbsTests : IDisposable
{
    private const double Fp32Tolerance = 1e-5;
    private readonly LlamaModel model = TestModels.Randomized(new LlamaModel(TestModels.Llama() with { Rotation = RopeRotation.Interleaved }), 21);

    public void Dispose() => model.Dispose();

    private static LogProbRequest Request(int seed, int promptLength, int completionLength)
    {
        var tokens = TestModels.RandomTokens(promptLength + completionLength, 37, seed);
        return new LogProbRequest(tokens[..promptLength], tokens[promptLength..]);
    }

    private static readonly LogProbRequest[] Requests = [Request(1, 3, 9), Request(2, 11, 2), Request(3, 1, 5), Request(4, 6, 0), Request(5, 7, 13)];

    [Fact]
    public void Batch_composition_and_order_do_not_change_a_sequence_logprob()
    {
        var alone = Requests.Select(r => Inference([r])[0]).ToArray();
        var together = Inference(Requests);
        var reversed = Inference(Requests.Reverse().ToArray()).Reverse().ToArray();
        var pairs = Inference([Requests[0], Requests[4]]);

        for (var i = 0; i < Requests.Length; i++)
        {
            Assert.InRange(Math.Abs(alone[i].Sum - together[i].Sum), 0, Fp32Tolerance);
            Assert.InRange(Math.Abs(alone[i].Sum - reversed[i].Sum), 0, Fp32Tolerance);
            Assert.Equal(Requests[i].CompletionIds.Count, together[i].TokenCount);
        }

        Assert.InRange(Math.Abs(alone[4].Sum - pairs[1].Sum), 0, Fp32Tolerance);
    }

    [Fact]
    public void Batch_composition_does_not_change_stories260K_logprobs_of_real_text()
    {
        var tokenizer = Llama2cTokenizer.Load(SharedData.RequireFile("models/stories260K/tok512.bin"));
        using var stories = ModelLoader.Load(SharedData.RequireFile("models/stories260K/stories260K.bin"), ModelRuntimeOptions.Cpu).Model;
        int[] text = [1, .. tokenizer.Encode(
            "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, " +
            "red ball. She wanted to play with it, but it was too high. Lily's mom said, \"Lily, let's go to the park.\" Lily was sad.")];
        var requests = new[] { 1, 7, 20, 33, 50 }.Select(split => new LogProbRequest(text[..split], text[split..])).ToArray();
        using var scope = NewDisposeScope();

        var alone = requests.Select(r => CompletionLogProbs.Compute(stories, [r], LogProbMode.Inference).ToSequences()[0]).ToArray();
        var together = CompletionLogProbs.Compute(stories, requests.Reverse().ToArray(), LogProbMode.Inference).ToSequences().Reverse().ToArray();

        Assert.All(alone.Zip(together), p => Assert.InRange(Math.Abs(p.First.Sum - p.Second.Sum), 0, Fp32Tolerance));
    }

    [Fact]
    public void Logprobs_equal_an_independent_log_softmax_over_a_left_padded_forward()
    {
        var actual = Inference(Requests);

        // Independent path: left padding + attention mask through Forward, log-softmax in double in C#.
        using var scope = NewDisposeScope();
        using var noGrad = inference_mode();
        var width = Requests.Max(r => r.PromptIds.Count + r.CompletionIds.Count);
        var ids = Requests.SelectMany(r => Enumerable.Repeat(0L, width - r.PromptIds.Count - r.CompletionIds.Count)
            .Concat(r.PromptIds.Concat(r.CompletionIds).Select(t => (long)t))).ToArray();
        var mask = Requests.SelectMany(r => Enumerable.Repeat(0L, width - r.PromptIds.Count - r.CompletionIds.Count)
            .Concat(Enumerable.Repeat(1L, r.PromptIds.Count + r.CompletionIds.Count))).ToArray();
        var logits = model.Forward(tensor(ids, [Requests.Length, width]), tensor(mask, [Requests.Length, width])); // (B, T, V)
        for (var b = 0; b < Requests.Length; b++)
        {
            var rows = TestModels.ToRows(logits[b]);
            var start = width - Requests[b].PromptIds.Count - Requests[b].CompletionIds.Count;
            var expected = Requests[b].CompletionIds.Select((token, j) =>
            {
                var row = rows[start + Requests[b].PromptIds.Count - 1 + j];
                var max = row.Max();
                return row[token] - max - Math.Log(row.Sum(v => Math.Exp(v - max)));
            }).ToArray();

            Assert.InRange(Math.Abs(expected.Sum() - actual[b].Sum), 0, Fp32Tolerance);
            Assert.Equal(expected.Length, actual[b].TokenLogProbs.Length);
            Assert.All(expected.Zip(actual[b].TokenLogProbs), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, Fp32Tolerance));
        }
    }

    [Fact]
    public void Chunking_over_positions_gives_the_same_values_as_one_chunk()
    {
        using var scope = NewDisposeScope();
        var whole = CompletionLogProbs.Compute(model, Requests, LogProbMode.Inference).ToSequences();
        var oneAtATime = CompletionLogProbs.Compute(model, Requests, LogProbMode.Inference, maxLogitElements: 1).ToSequences();

        // One-row LM-head products round differently from many-row ones; the fp32 bound for batch composition is 1e-5.
        Assert.All(whole.Zip(oneAtATime), p => Assert.InRange(Math.Abs(p.First.Sum - p.Second.Sum), 0, 1e-5));
    }

    [Fact]
    public void Train_mode_sums_carry_gradients_and_inference_mode_sums_do_not()
    {
        using var scope = NewDisposeScope();
        var train = CompletionLogProbs.Compute(model, Requests, LogProbMode.Train);
        var inference = CompletionLogProbs.Compute(model, Requests, LogProbMode.Inference);

        train.Sums.sum().backward();

        Assert.True(train.Sums.requires_grad);
        Assert.False(inference.Sums.requires_grad);
        var grad = model.NamedParameters().Single(p => p.Name == "model.layers.0.self_attn.q_proj.weight").Parameter.grad;
        Assert.NotNull(grad);
        Assert.True(grad.abs().sum().item<float>() > 0);
        Assert.Equal(0f, train.TokenLogProbs[3].abs().sum().item<float>()); // empty completion: all padding
        Assert.Equal([9, 2, 5, 0, 13], train.TokenCounts);
    }

    [Fact]
    public void Prompt_without_tokens_is_refused()
    {
        Assert.Throws<ArgumentException>(() => CompletionLogProbs.Compute(model, [new LogProbRequest([], [1, 2])], LogProbMode.Inference));
    }

    private IReadOnlyList<SequenceLogProb> Inference(IReadOnlyList<LogProbRequest> batch)
    {
        using var scope = NewDisposeScope();
        return CompletionLogProbs.Compute(model, batch, LogProbMode.Inference).ToSequences();
    }
}
