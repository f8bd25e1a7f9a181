namespace AlignmentPipeline.Evaluation.Judges.Llm;

/// <summary>A verdict about one presentation order: which slot, A or B, the judge preferred.</summary>
public enum OrderVerdict
{
    /// <summary>The response shown as A is better.</summary>
    A,

    /// <summary>The response shown as B is better.</summary>
    B,

    /// <summary>Both are equally good.</summary>
    Tie,
}
