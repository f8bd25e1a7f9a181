using TorchSharp;
using static TorchSharp.torch;

namespace AlignmentPipeline.Training.Losses;

/// <summary>
/// Per-sequence log-probabilities of one batch of preference pairs, the input of every preference loss.
/// Each log-prob is the sum over the completion tokens of log p(token | prefix); the token counts are the number of
/// completion tokens that sum covers (used by length-normalised losses: IPO, SimPO, ORPO, the SFT term).
/// The tensors belong to the caller; losses never dispose them.
/// </summary>
/// <param name="PolicyChosen">Summed log-prob of the chosen completion under the policy, shape (B).</param>
/// <param name="PolicyRejected">Summed log-prob of the rejected completion under the policy, shape (B).</param>
/// <param name="ReferenceChosen">Summed log-prob of the chosen completion under the reference, shape (B); null when
/// training reference-free.</param>
/// <param name="ReferenceRejected">Summed log-prob of the rejected completion under the reference, shape (B); null
/// when training reference-free.</param>
/// <param name="ChosenTokens">Completion token count of each chosen sequence, shape (B), any numeric dtype.</param>
/// <param name="RejectedTokens">Completion token count of each rejected sequence, shape (B), any numeric dtype.</param>
internal sealed record PreferenceLogps(
    Tensor PolicyChosen,
    Tensor PolicyRejected,
    Tensor? ReferenceChosen,
    Tensor? ReferenceRejected,
    Tensor ChosenTokens,
    Tensor RejectedTokens)
{
    /// <summary>The reference chosen log-probs; throws when the batch carries none.</summary>
    public Tensor RequireReferenceChosen(string lossName) =>
        ReferenceChosen ?? throw MissingReference(lossName);

    /// <summary>The reference rejected log-probs; throws when the batch carries none.</summary>
    public Tensor RequireReferenceRejected(string lossName) =>
        ReferenceRejected ?? throw MissingReference(lossName);

    /// <summary>Chosen token counts in the log-probs' dtype, clamped at 1 like TRL so empty completions divide safely.</summary>
    public Tensor ChosenLengths() => ChosenTokens.to_type(PolicyChosen.dtype).clamp_min(1); // (B)

    /// <summary>Rejected token counts in the log-probs' dtype, clamped at 1.</summary>
    public Tensor RejectedLengths() => RejectedTokens.to_type(PolicyRejected.dtype).clamp_min(1); // (B)

    private static InvalidOperationException MissingReference(string lossName) => new(
        $"The '{lossName}' loss needs reference log-probs but the batch has none; " +
        "compute them with a ref-logprobs stage or choose a reference-free loss (simpo, orpo).");
}
