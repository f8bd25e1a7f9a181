using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Losses;

/// <summary>
/// Per-sequence summed log-probs of one KTO batch: each example is one completion labelled desirable or not, plus
/// the mismatched (prompt, other completion) pairs whose log-ratio estimates KL(π‖π_ref). Caller-owned tensors.
/// </summary>
/// <param name="Policy">Summed log-prob of each completion under the policy, shape (B).</param>
/// <param name="Reference">Summed log-prob of each completion under the reference, shape (B).</param>
/// <param name="IsDesirable">True for desirable (chosen) examples, shape (B), bool.</param>
/// <param name="KlPolicy">Policy log-probs of the mismatched KL completions, shape (K); null disables the KL estimate (z₀ = 0).</param>
/// <param name="KlReference">Reference log-probs of the mismatched KL completions, shape (K); null together with <paramref name="KlPolicy"/>.</param>
internal sealed record KtoLogps(Tensor Policy, Tensor Reference, Tensor IsDesirable, Tensor? KlPolicy, Tensor? KlReference);
