using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Losses;

/// <summary>What the KTO loss returns.</summary>
/// <param name="Losses">Per-example weighted loss, shape (B), attached to the autograd graph.</param>
/// <param name="Rewards">Detached β·log(π/π_ref) per example, shape (B); split by the desirable mask for
/// <c>rewards/chosen</c> and <c>rewards/rejected</c>.</param>
/// <param name="Kl">The detached, clamped KL reference point z₀, a scalar tensor (TRL logs it as <c>kl</c>).</param>
internal sealed record KtoLossOutput(Tensor Losses, Tensor Rewards, Tensor Kl);
