using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Losses;

/// <summary>
/// What a preference loss returns: per-example losses (take the mean to train) and the implicit rewards TRL logs.
/// </summary>
/// <param name="Losses">Per-example loss, shape (B), attached to the autograd graph.</param>
/// <param name="ChosenRewards">Detached implicit reward of the chosen completion, shape (B); for reference-based
/// losses β·(π − π_ref) (on length-averaged log-probs for IPO), for reference-free ones β·(π / length).</param>
/// <param name="RejectedRewards">Detached implicit reward of the rejected completion, shape (B).</param>
internal sealed record PreferenceLossOutput(Tensor Losses, Tensor ChosenRewards, Tensor RejectedRewards);
