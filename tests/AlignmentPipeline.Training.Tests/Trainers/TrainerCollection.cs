namespace AlignmentPipeline.Training.Tests.Trainers;

/// <summary>Trainer tests run one at a time: they count model loads process-wide and each uses both cores.</summary>
[CollectionDefinition(nameof(TrainerCollection), DisableParallelization = true)]
public sealed class TrainerCollection;
