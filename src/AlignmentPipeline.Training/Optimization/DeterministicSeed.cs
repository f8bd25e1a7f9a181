using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Optimization;

/// <summary>Seeds every random source of a training process and captures or restores them together.</summary>
internal static class DeterministicSeed
{
    /// <summary>
    /// Seeds TorchSharp's default generator with <paramref name="seed"/> and returns the data-order generator seeded
    /// from the same number. Pass the returned <see cref="Random"/> to everything that shuffles or samples.
    /// </summary>
    public static CapturableRandom Apply(long seed)
    {
        torch.manual_seed(seed);
        return new CapturableRandom(seed);
    }

    /// <summary>The current state of TorchSharp's generator and of <paramref name="dataRandom"/>.</summary>
    public static RandomnessState Capture(CapturableRandom dataRandom)
    {
        using var scope = torch.NewDisposeScope();
        var torchState = torch.get_rng_state().data<byte>().ToArray();
        return new RandomnessState(torchState, dataRandom.CaptureState());
    }

    /// <summary>Puts TorchSharp's generator back to the captured state and returns the data generator continuing from it.</summary>
    public static CapturableRandom Restore(RandomnessState state)
    {
        using var scope = torch.NewDisposeScope();
        torch.set_rng_state(torch.tensor(state.TorchGenerator, ScalarType.Byte));
        return CapturableRandom.FromState(state.DataRandom);
    }
}
