namespace AlignmentPipeline.Training.Losses;

/// <summary>
/// The running mean δ of the batch-mean implicit reward that BCO subtracts (TRL's <c>RunningMoments</c>: every
/// update counts as one observation). It is training state: checkpoint <see cref="Mean"/> and <see cref="Count"/> and
/// restore them with <see cref="Restore"/> so a resumed run computes the same losses.
/// </summary>
internal sealed class RunningRewardMean
{
    /// <summary>The current mean; 0 before the first update.</summary>
    public double Mean { get; private set; }

    /// <summary>How many batch means have been folded in.</summary>
    public long Count { get; private set; }

    /// <summary>Folds one batch mean into the running mean and returns the new mean.</summary>
    public double Update(double batchMean)
    {
        Count++;
        Mean += (batchMean - Mean) / Count;
        return Mean;
    }

    /// <summary>Restores a checkpointed state.</summary>
    public void Restore(double mean, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Mean = mean;
        Count = count;
    }
}
