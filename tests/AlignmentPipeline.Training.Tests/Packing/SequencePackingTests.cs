using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Training.Tests.Lora;
using AlignmentPipeline.Training.Tests.Trainers;
using AlignmentPipeline.Training.Trainers;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Tests.Packing;

/// <summary>Runs with the trainer tests, alone: models here draw from torch's process-wide generator.</summary>
[Collection(nameof(TrainerCollection))]
public sealed class SequencePackingTests
{
    /// <summary>Examples with prompt and completion lengths (1..5, 1..7) and random ids from a fixed seed.</summary>
    private static List<LogProbRequest> Examples(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => new LogProbRequest(
            Enumerable.Range(0, random.Next(1, 6)).Select(_ => random.Next(TinyLlama.Vocab)).ToArray(),
            Enumerable.Range(0, random.Next(1, 8)).Select(_ => random.Next(TinyLlama.Vocab)).ToArray())).ToList();
    }

    [Fact]
    public void Rows_are_filled_first_fit_longest_first_and_never_exceed_the_row_length()
    {
        // Lengths 5, 9, 3, 7, 4 into rows of 12. Longest first: 9 → row 0; 7 → row 1; 5 → row 1 (12); 4 → new row 2
        // (row 0 would hold 13); 3 → row 0 (12).
        int[] lengths = [5, 9, 3, 7, 4];
        var examples = lengths.Select(n => new LogProbRequest([1], Enumerable.Repeat(2, n - 1).ToArray())).ToList();

        var rows = SequencePacking.Rows(examples, 12);

        Assert.Equal([[1, 2], [3, 0], [4]], rows.Select(r => r.ToArray()).ToArray());
        Assert.Throws<ArgumentException>(() => SequencePacking.Rows(examples, 8)); // the 9-token example fits no row
    }

    [Fact]
    public void Packed_loss_and_gradients_equal_the_unpacked_ones_within_1e5()
    {
        using var model = TinyLlama.Create();
        var examples = Examples(9, seed: 4);
        var completionTokens = examples.Sum(e => e.CompletionIds.Count);
        var rowLength = 20;
        Assert.True(SequencePacking.Rows(examples, rowLength).Count <= examples.Count / 2, "the examples must really share rows");

        var (unpackedLoss, unpackedGradients) = LossAndGradients(model, () => CompletionLogProbs.Compute(model, examples, LogProbMode.Train).Sums.sum() / -completionTokens);
        var (packedLoss, packedGradients) = LossAndGradients(model, () => SequencePacking.CompletionLogProbSum(model, examples, rowLength) / -completionTokens);

        var maxGradientDifference = unpackedGradients.Zip(packedGradients, (a, b) => (a - b).abs().max().item<float>()).Max();
        var maxGradient = unpackedGradients.Max(g => g.abs().max().item<float>());
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"loss unpacked {unpackedLoss:R}, packed {packedLoss:R}; max |grad| {maxGradient:E3}, max gradient difference {maxGradientDifference:E3}");
        Assert.InRange(unpackedLoss, 3.0, 4.5); // ≈ ln 40 = 3.69 for a random model
        Assert.Equal(unpackedLoss, packedLoss, 1e-5);
        Assert.True(maxGradient > 1e-3, "the gradients must be non-trivial");
        Assert.True(maxGradientDifference <= 1e-5, $"max gradient difference {maxGradientDifference:E3}");
    }

    [Fact]
    public void Packing_examples_that_attend_across_a_boundary_would_be_detected()
    {
        // The comparison above must be able to fail: one causal row without the block-diagonal mask lets the second
        // example see the first, and its log-probs move far beyond the tolerance.
        using var model = TinyLlama.Create();
        using var scope = NewDisposeScope();
        var (first, second) = (new LogProbRequest([3, 4, 5], [6, 7]), new LogProbRequest([8, 9], [10, 11, 12]));
        var alone = CompletionLogProbs.Compute(model, [second], LogProbMode.Inference).Sums.item<float>();
        var concatenated = new LogProbRequest([.. first.PromptIds, .. first.CompletionIds, .. second.PromptIds], second.CompletionIds);
        var leaked = CompletionLogProbs.Compute(model, [concatenated], LogProbMode.Inference).Sums.item<float>();
        var packed = SequencePacking.CompletionLogProbSum(model, [first, second], 10).item<float>()
                     - CompletionLogProbs.Compute(model, [first], LogProbMode.Inference).Sums.item<float>();

        Assert.True(Math.Abs(leaked - alone) > 1e-3, $"cross-example attention changed nothing ({leaked} vs {alone})");
        Assert.Equal(alone, packed, 1e-5);
    }

    private static (double Loss, List<Tensor> Gradients) LossAndGradients(Modeling.Models.ICausalLanguageModel model, Func<Tensor> loss)
    {
        foreach (var (_, parameter) in model.NamedParameters())
        {
            parameter.grad = null;
        }

        var value = loss(); // ()
        value.backward();
        return (value.item<float>(), model.NamedParameters().Select(p => p.Parameter.grad!.clone()).ToList());
    }
}
