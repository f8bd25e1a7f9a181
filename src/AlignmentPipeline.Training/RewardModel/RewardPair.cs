namespace AlignmentPipeline.Training.RewardModel;

/// <summary>One encoded preference pair as the reward model reads it.</summary>
/// <param name="Chosen">Prompt then chosen response ids (the encoder's split, BOS/EOS per its rules).</param>
/// <param name="Rejected">Prompt then rejected response ids.</param>
/// <param name="Margin">The pair's margin m in the loss (0 without <c>margin_key</c>).</param>
internal sealed record RewardPair(IReadOnlyList<int> Chosen, IReadOnlyList<int> Rejected, double Margin)
{
    /// <summary>Tokens of both sequences.</summary>
    public int Tokens => Chosen.Count + Rejected.Count;
}
