namespace AlignmentPipeline.Evaluation.Agreement;

/// <summary>How often one side (judge or humans) gave each label over the compared pairs.</summary>
/// <param name="First">Pairs labelled "response1 better".</param>
/// <param name="Second">Pairs labelled "response2 better".</param>
/// <param name="Tie">Pairs labelled as a tie.</param>
public sealed record LabelCounts(int First, int Second, int Tie);
