namespace AlignmentPipeline.Data.Ingest;

/// <summary>How the fields of an ingested row make a preference pair. Field names can be remapped with <c>fields:</c>.</summary>
public enum IngestFormat
{
    /// <summary>
    /// Decide per file from its first readable row: a <c>completions</c> list means <see cref="Scored"/>;
    /// <c>response1</c> and <c>response2</c> mean <see cref="PairwiseJudged"/>; a <c>chosen</c> list means
    /// <see cref="Conversational"/>; <c>chosen</c>/<c>rejected</c> text without <c>prompt</c> holding
    /// "\n\nAssistant:" means <see cref="HhTranscript"/>; <c>prompt</c>/<c>chosen</c>/<c>rejected</c> text means
    /// <see cref="Canonical"/>.
    /// </summary>
    Auto,

    /// <summary><c>prompt</c>, <c>chosen</c>, <c>rejected</c> strings (optional <c>id</c>).</summary>
    Canonical,

    /// <summary>
    /// TRL-style message lists: <c>chosen</c> and <c>rejected</c> are lists of <c>{role, content}</c>; the prompt is an
    /// explicit <c>prompt</c> list (or string, read as one user turn) or else the messages both lists share at the
    /// start. Stored with <c>format: messages</c> and the lists as JSON text.
    /// </summary>
    Conversational,

    /// <summary>
    /// Anthropic HH-RLHF transcripts: <c>chosen</c> and <c>rejected</c> each hold a whole "\n\nHuman: … \n\nAssistant: …"
    /// dialogue. The prompt is their longest common prefix that ends at an "\n\nAssistant:" boundary (so a response
    /// that itself contains "Assistant:" text does not move the split); the responses are the remainders. An empty
    /// response is kept (an empty assistant turn is a real choice in harmlessness data).
    /// </summary>
    HhTranscript,

    /// <summary>
    /// PandaLM-style judged pairs: <c>instruction</c>, optional <c>input</c> (appended after a blank line),
    /// <c>response1</c>, <c>response2</c> and labels <c>annotator1..n</c> (1: response1 better, 2: response2 better,
    /// 0: tie). The strict majority label decides; a majority tie (<c>tie</c>) or no majority (<c>no_majority</c>)
    /// is dropped to quarantine, as are responses that are not strings or are empty.
    /// </summary>
    PairwiseJudged,

    /// <summary>
    /// UltraFeedback-style scored completions: <c>instruction</c> and a list <c>completions</c> of objects with a
    /// <c>response</c> text and a numeric <c>overall_score</c>. Pairs are made by the <c>pairing</c> option.
    /// </summary>
    Scored,
}
