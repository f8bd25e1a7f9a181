namespace AlignmentPipeline.Core.Stages;

/// <summary>How many upstream stages a kind reads through its <c>input</c> key.</summary>
public enum InputArity
{
    /// <summary>No <c>input</c> key (sources such as <c>ingest</c> or <c>synthetic</c>).</summary>
    None,

    /// <summary>Exactly one upstream stage.</summary>
    One,

    /// <summary>One or more upstream stages.</summary>
    Many,

    /// <summary>Zero or more upstream stages (a source that may also read what other stages produced).</summary>
    Optional,
}
