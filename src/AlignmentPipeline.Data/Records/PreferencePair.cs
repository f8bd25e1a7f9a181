namespace AlignmentPipeline.Data.Records;

/// <summary>
/// One preference pair. <see cref="Prompt"/>, <see cref="Chosen"/> and <see cref="Rejected"/> hold text; for
/// conversational data they hold the JSON message list (<c>[{"role":…,"content":…}]</c>) and <see cref="Format"/>
/// is <c>messages</c>.
/// </summary>
/// <param name="Id">Stable id: from the source when it has one, else a hash of the normalized content.</param>
/// <param name="Prompt">The prompt shared by both responses.</param>
/// <param name="Chosen">The preferred response.</param>
/// <param name="Rejected">The dispreferred response.</param>
/// <param name="Source">Where the row came from, <c>file:line</c> (or <c>file:row</c> for Parquet and CSV).</param>
/// <param name="Metadata">Extra fields as a JSON object, or null.</param>
/// <param name="Format"><c>text</c> or <c>messages</c>.</param>
public sealed record PreferencePair(string Id, string Prompt, string Chosen, string Rejected, string Source, string? Metadata = null, string Format = PreferencePair.TextFormat)
{
    public const string TextFormat = "text";
    public const string MessagesFormat = "messages";
}
