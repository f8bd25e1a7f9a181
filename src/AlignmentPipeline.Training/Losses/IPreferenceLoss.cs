namespace AlignmentPipeline.Training.Losses;

/// <summary>A pairwise preference loss over per-sequence log-probs (one TRL <c>loss_type</c>).</summary>
internal interface IPreferenceLoss
{
    /// <summary>The TRL <c>loss_type</c> name, e.g. <c>sigmoid</c>.</summary>
    string Name { get; }

    /// <summary>True when the loss reads reference log-probs; false for reference-free losses (SimPO, ORPO, SFT).</summary>
    bool RequiresReference { get; }

    /// <summary>Per-example losses and rewards for one batch. Runs in its own dispose scope; the outputs survive it.</summary>
    PreferenceLossOutput Compute(PreferenceLogps logps);
}
