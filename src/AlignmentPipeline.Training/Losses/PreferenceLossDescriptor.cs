namespace AlignmentPipeline.Training.Losses;

/// <summary>What the registry knows about one loss type before building it.</summary>
/// <param name="Name">The TRL <c>loss_type</c> name.</param>
/// <param name="RequiresReference">Whether the loss reads reference log-probs.</param>
/// <param name="UsesLabelSmoothing">Whether <c>label_smoothing</c> changes the loss; setting it for one that ignores it is an error.</param>
/// <param name="Paper">Short citation shown in help text.</param>
/// <param name="Create">Builds the loss from validated options and the shared BCO reward mean.</param>
internal sealed record PreferenceLossDescriptor(
    string Name,
    bool RequiresReference,
    bool UsesLabelSmoothing,
    string Paper,
    Func<PreferenceLossOptions, RunningRewardMean, IPreferenceLoss> Create);
