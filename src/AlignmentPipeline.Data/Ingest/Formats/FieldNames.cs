namespace AlignmentPipeline.Data.Ingest.Formats;

/// <summary>
/// The source field name for each logical field of a format: the user's <c>fields:</c> mapping when it names the
/// field, else the format's default.
/// </summary>
internal sealed class FieldNames(IReadOnlyDictionary<string, string> mapping)
{
    /// <summary>Logical fields of each format and their default names in the source.</summary>
    public static IReadOnlyDictionary<IngestFormat, IReadOnlyDictionary<string, string>> Defaults { get; } =
        new Dictionary<IngestFormat, IReadOnlyDictionary<string, string>>
        {
            [IngestFormat.Canonical] = Same("id", "prompt", "chosen", "rejected"),
            [IngestFormat.Conversational] = Same("id", "prompt", "chosen", "rejected", "role", "content"),
            [IngestFormat.HhTranscript] = Same("id", "chosen", "rejected"),
            [IngestFormat.PairwiseJudged] = Same("id", "instruction", "input", "response1", "response2", "annotator"),
            [IngestFormat.Scored] = new Dictionary<string, string>
            {
                ["id"] = "id",
                ["prompt"] = "instruction",
                ["completions"] = "completions",
                ["response"] = "response",
                ["score"] = "overall_score",
            },
        };

    /// <summary>Every logical field name some format knows (what <c>fields:</c> may map under <c>format: auto</c>).</summary>
    public static IReadOnlySet<string> AllLogical { get; } = Defaults.Values.SelectMany(d => d.Keys).ToHashSet(StringComparer.Ordinal);

    public string this[IngestFormat format, string logical] =>
        mapping.TryGetValue(logical, out var mapped) ? mapped : Defaults[format][logical];

    private static Dictionary<string, string> Same(params string[] names) => names.ToDictionary(n => n, n => n, StringComparer.Ordinal);
}
