namespace AlignmentPipeline.Evaluation.Stages;

/// <summary>Which rows of a split input a stage reads.</summary>
public enum PromptSplit
{
    /// <summary>The <c>eval/</c> parts (or every part when the input is not split).</summary>
    Eval,

    /// <summary>The <c>train/</c> parts (or every part when the input is not split).</summary>
    Train,

    /// <summary>Every part.</summary>
    All,
}
