namespace AlignmentPipeline.Training.Optimization;

/// <summary>
/// Everything random in a training process at one moment, JSON-serialisable for checkpoints.
/// </summary>
/// <param name="TorchGenerator">The bytes of TorchSharp's default CPU generator (<c>torch.get_rng_state()</c>): dropout, init, sampling.</param>
/// <param name="DataRandom">The four state words of the <see cref="CapturableRandom"/> used for data order.</param>
internal sealed record RandomnessState(byte[] TorchGenerator, ulong[] DataRandom);
