using AlignmentPipeline.Data.Records;

namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>One row of a reference cache: the pair and its reference log-probs.</summary>
/// <param name="Pair">The preference pair as the input stage wrote it.</param>
/// <param name="Split">The input part's subfolder (<c>train</c>, <c>eval</c>…), or empty for top-level parts.</param>
/// <param name="RefChosenLogp">Sum of the reference's log-probs over the chosen completion's tokens.</param>
/// <param name="RefRejectedLogp">Sum over the rejected completion's tokens.</param>
/// <param name="ChosenTokens">Chosen completion tokens scored (after truncation, EOS included when added).</param>
/// <param name="RejectedTokens">Rejected completion tokens scored.</param>
/// <param name="ChosenTokenLogps">Per-token log-probs of the chosen completion, or null when not stored (<c>per_token: false</c>).</param>
/// <param name="RejectedTokenLogps">Per-token log-probs of the rejected completion, or null.</param>
/// <param name="Mismatched">KTO's mismatched-completion values, or null when not stored (<c>kto_mismatched: false</c>).</param>
public sealed record CachedPair(
    PreferencePair Pair,
    string Split,
    double RefChosenLogp,
    double RefRejectedLogp,
    int ChosenTokens,
    int RejectedTokens,
    float[]? ChosenTokenLogps = null,
    float[]? RejectedTokenLogps = null,
    MismatchedLogProbs? Mismatched = null);
