using AlignmentPipeline.Modeling.LogProbs;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Training.Trainers;
using TorchSharp;

namespace AlignmentPipeline.Training.Tests.Trainers;

/// <summary>The live reference of <c>live_reference: true</c>: scored first, without a graph, to the same values.</summary>
[Collection(nameof(TrainerCollection))]
public sealed class DpoBatchTests
{
    private static readonly LlamaConfig Tiny = new()
    {
        VocabSize = 40, HiddenSize = 16, IntermediateSize = 32, NumLayers = 2, NumHeads = 4, NumKvHeads = 2, MaxSequenceLength = 64,
    };

    [Fact]
    public void A_live_reference_gives_the_values_of_its_own_forward_and_builds_no_graph()
    {
        torch.manual_seed(3);
        using var policy = new LlamaModel(Tiny);
        using var reference = new LlamaModel(Tiny);
        policy.train();
        var random = new Random(5);
        int[] Ids(int count) => [.. Enumerable.Range(0, count).Select(_ => random.Next(Tiny.VocabSize))];
        var examples = Enumerable.Range(0, 3).Select(i =>
        {
            var prompt = Ids(3 + 2 * i);
            return new DpoExample(new LogProbRequest(prompt, Ids(4 + i)), new LogProbRequest(prompt, Ids(6 - i)), Cached: null);
        }).ToList();
        LogProbRequest[] requests = [.. examples.Select(e => e.Chosen), .. examples.Select(e => e.Rejected)];

        using var scope = torch.NewDisposeScope();
        var logps = DpoBatch.Logps(policy, examples, reference, LogProbMode.Train);
        var expectedReference = CompletionLogProbs.Compute(reference, requests, LogProbMode.Inference).Sums; // (6)
        var expectedPolicy = CompletionLogProbs.Compute(policy, requests, LogProbMode.Train).Sums; // (6)

        // The same batch (same padding) through the same function: equal bit for bit, whichever model runs first.
        Assert.Equal(expectedReference.data<float>().ToArray(), torch.cat([logps.ReferenceChosen!, logps.ReferenceRejected!]).data<float>().ToArray());
        Assert.Equal(expectedPolicy.data<float>().ToArray(), torch.cat([logps.PolicyChosen, logps.PolicyRejected]).detach().data<float>().ToArray());
        Assert.False(logps.ReferenceChosen!.requires_grad);
        Assert.True(logps.PolicyChosen.requires_grad);

        (logps.PolicyChosen - logps.ReferenceChosen).sum().backward();
        Assert.All(reference.parameters(), p => Assert.True(p.grad is null, "the reference got a gradient"));
        Assert.Contains(policy.parameters(), p => p.grad is not null);
    }
}
