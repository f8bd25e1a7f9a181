namespace AlignmentPipeline.Training.Trainers;

/// <summary>Reference log-probs of one pair as the cache stores them.</summary>
/// <param name="Chosen">Summed log-prob of the chosen completion under the reference.</param>
/// <param name="Rejected">Summed log-prob of the rejected completion under the reference.</param>
/// <param name="ChosenTokens">Completion tokens the chosen sum covers.</param>
/// <param name="RejectedTokens">Completion tokens the rejected sum covers.</param>
internal sealed record ReferenceLogps(double Chosen, double Rejected, int ChosenTokens, int RejectedTokens);
