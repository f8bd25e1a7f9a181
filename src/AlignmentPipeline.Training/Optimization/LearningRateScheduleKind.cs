namespace AlignmentPipeline.Training.Optimization;

/// <summary>The shape of a learning-rate schedule after its linear warmup (YAML <c>lr_scheduler_type</c>).</summary>
public enum LearningRateScheduleKind
{
    /// <summary><c>constant</c>: the peak rate after warmup (Hugging Face <c>constant_with_warmup</c>; <c>constant</c> when warmup is 0).</summary>
    Constant,

    /// <summary><c>linear</c>: linear decay from the peak to 0 at the last step (Hugging Face <c>linear</c>).</summary>
    Linear,

    /// <summary><c>cosine</c>: half a cosine from the peak to 0 at the last step (Hugging Face <c>cosine</c>).</summary>
    Cosine,
}
