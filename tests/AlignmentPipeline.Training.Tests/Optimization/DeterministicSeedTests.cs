using AlignmentPipeline.Training.Optimization;
using TorchSharp;

namespace AlignmentPipeline.Training.Tests.Optimization;

public sealed class DeterministicSeedTests
{
    [Fact]
    public void Restoring_a_captured_state_replays_torch_and_data_randomness()
    {
        using var scope = torch.NewDisposeScope();
        var random = DeterministicSeed.Apply(42);
        _ = torch.rand(5);
        _ = random.Next(100);
        var state = DeterministicSeed.Capture(random);

        var torchAfter = torch.rand(8).data<float>().ToArray();
        var dataAfter = Enumerable.Range(0, 8).Select(_ => random.NextDouble()).ToArray();
        var order = Enumerable.Range(0, 20).ToArray();
        random.Shuffle(order);

        var restored = DeterministicSeed.Restore(state);
        Assert.Equal(torchAfter, torch.rand(8).data<float>().ToArray());
        Assert.Equal(dataAfter, Enumerable.Range(0, 8).Select(_ => restored.NextDouble()).ToArray());
        var replayedOrder = Enumerable.Range(0, 20).ToArray();
        restored.Shuffle(replayedOrder);
        Assert.Equal(order, replayedOrder);
    }

    [Fact]
    public void The_same_seed_gives_the_same_sequences_and_different_seeds_differ()
    {
        using var scope = torch.NewDisposeScope();
        var first = DeterministicSeed.Apply(7);
        var torchFirst = torch.randn(4).data<float>().ToArray();
        var dataFirst = Enumerable.Range(0, 16).Select(_ => first.NextInt64()).ToArray();
        var second = DeterministicSeed.Apply(7);
        Assert.Equal(torchFirst, torch.randn(4).data<float>().ToArray());
        Assert.Equal(dataFirst, Enumerable.Range(0, 16).Select(_ => second.NextInt64()).ToArray());
        var other = DeterministicSeed.Apply(8);
        Assert.NotEqual(dataFirst, Enumerable.Range(0, 16).Select(_ => other.NextInt64()).ToArray());
    }

    [Fact]
    public void Bounded_draws_stay_in_range_and_cover_it_evenly()
    {
        var random = new CapturableRandom(1);
        var counts = new int[5];
        for (var i = 0; i < 50_000; i++)
        {
            var value = random.Next(3, 8);
            Assert.InRange(value, 3, 7);
            counts[value - 3]++;
        }
        // Each bucket expects 10 000; 5 standard deviations of a binomial(50 000, 0.2) is about 450.
        Assert.All(counts, c => Assert.InRange(c, 9_550, 10_450));
        Assert.Equal(0, random.Next(1));
        Assert.InRange(random.NextDouble(), 0.0, 1.0 - double.Epsilon);
    }

    [Fact]
    public void An_all_zero_state_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => CapturableRandom.FromState([0, 0, 0, 0]));
    }
}
