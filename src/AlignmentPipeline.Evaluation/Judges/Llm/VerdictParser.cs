namespace AlignmentPipeline.Evaluation.Judges.Llm;

/// <summary>Strict reading of a judge reply: the last non-empty line, trimmed, must be exactly [[A]], [[B]] or [[tie]].</summary>
public static class VerdictParser
{
    /// <summary>The verdict on the final line, or null when the reply has no such line (the item then counts as invalid).</summary>
    public static OrderVerdict? Parse(string reply)
    {
        var lastLine = reply.Split('\n').Select(line => line.Trim()).LastOrDefault(line => line.Length > 0);
        return lastLine switch
        {
            "[[A]]" => OrderVerdict.A,
            "[[B]]" => OrderVerdict.B,
            _ when string.Equals(lastLine, "[[tie]]", StringComparison.OrdinalIgnoreCase) => OrderVerdict.Tie,
            _ => null,
        };
    }
}
