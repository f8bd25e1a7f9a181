using AlignmentPipeline.Core;
using AlignmentPipeline.Data.Records;

namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>
/// Reference log-probs of one pair's prompt followed by another pair's completions (<c>kto_mismatched: true</c>), from
/// which KTO estimates its KL reference point z₀ (Ethayarajh et al. 2024, §4.1). The donor is the next pair of the
/// scoring window, cyclically, as TRL's KTOTrainer shifts completions by one within a batch; its id is stored so a
/// trainer rebuilds exactly the scored sequences: (prompt, donor's chosen) and (prompt, donor's rejected).
/// </summary>
/// <param name="DonorId">Id of the pair whose completions follow this pair's prompt.</param>
/// <param name="ChosenLogp">Summed reference log-prob of the donor's chosen completion after this prompt.</param>
/// <param name="RejectedLogp">Summed reference log-prob of the donor's rejected completion after this prompt.</param>
/// <param name="ChosenTokens">Completion tokens <paramref name="ChosenLogp"/> covers.</param>
/// <param name="RejectedTokens">Completion tokens <paramref name="RejectedLogp"/> covers.</param>
public sealed record MismatchedLogProbs(string DonorId, double ChosenLogp, double RejectedLogp, int ChosenTokens, int RejectedTokens)
{
    /// <summary>The cache's columns for these values.</summary>
    public const string DonorIdColumn = "kl_donor_id";
    public const string ChosenColumn = "ref_kl_chosen_logp";
    public const string RejectedColumn = "ref_kl_rejected_logp";
    public const string ChosenTokensColumn = "kl_chosen_tokens";
    public const string RejectedTokensColumn = "kl_rejected_tokens";

    /// <summary>
    /// Scores every pair of a window with its donor's completions. A window of one pair borrows from
    /// <paramref name="previous"/> (the last pair of the window before); a shard of a single pair cannot be mismatched.
    /// </summary>
    internal static IReadOnlyList<MismatchedLogProbs> Score(ReferenceScorer reference, IReadOnlyList<PreferencePair> window, PreferencePair? previous)
    {
        if (window.Count == 0)
        {
            return [];
        }

        var donors = window.Count > 1
            ? window.Select((_, k) => window[(k + 1) % window.Count]).ToList()
            : [previous ?? throw new UserErrorException(
                $"kto_mismatched needs at least two pairs per shard to pair a prompt with another pair's completions; pair '{window[0].Id}' is alone")];
        var encoded = window.Select((pair, k) =>
        {
            var (mismatched, reason, detail) = reference.Tokenizer.Encode(pair with { Chosen = donors[k].Chosen, Rejected = donors[k].Rejected });
            return mismatched ?? throw new UserErrorException(
                $"kto_mismatched: the prompt of pair '{pair.Id}' ({pair.Source}) with the completions of pair '{donors[k].Id}' cannot be scored: {reason} {detail}");
        }).ToList();
        var scored = reference.Scorer.Score(encoded);
        return scored.Select((s, k) => new MismatchedLogProbs(donors[k].Id, s.ChosenSum, s.RejectedSum, s.Chosen.TokenCount, s.Rejected.TokenCount)).ToList();
    }
}
