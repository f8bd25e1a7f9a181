namespace AlignmentPipeline.Training.Trainers;

/// <summary>
/// The two unpaired examples a preference pair converts into (chosen → desirable, rejected → undesirable). Training
/// shuffles them independently; evaluation keeps them together to compare the implicit rewards of a pair.
/// </summary>
/// <param name="Desirable">The chosen completion.</param>
/// <param name="Undesirable">The rejected completion.</param>
internal sealed record KtoPairExamples(KtoExample Desirable, KtoExample Undesirable);
