namespace AlignmentPipeline.Modeling.Tokenization;

/// <summary>
/// Splits text at occurrences of added tokens (e.g. <c>&lt;s&gt;</c>, <c>&lt;|im_start|&gt;</c>) the way Hugging Face
/// tokenizers do: scanning left to right, the longest added token starting at a position wins.
/// </summary>
internal sealed class AddedTokenSplitter
{
    private readonly (string Content, int Id)[] _byLengthDescending;

    public AddedTokenSplitter(IReadOnlyDictionary<string, int> addedTokens) =>
        _byLengthDescending = [.. addedTokens.Where(t => t.Key.Length > 0).OrderByDescending(t => t.Key.Length).Select(t => (t.Key, t.Value))];

    /// <summary>Segments in order: plain text (<c>Id</c> null) or one added token (<c>Text</c> is its content).</summary>
    public IEnumerable<(string Text, int? Id)> Split(string text)
    {
        var plainStart = 0;
        for (var i = 0; i < text.Length;)
        {
            var match = Array.FindIndex(_byLengthDescending, t => string.CompareOrdinal(text, i, t.Content, 0, t.Content.Length) == 0);
            if (match < 0)
            {
                i++;
                continue;
            }
            if (i > plainStart)
            {
                yield return (text[plainStart..i], null);
            }
            var (content, id) = _byLengthDescending[match];
            yield return (content, id);
            i += content.Length;
            plainStart = i;
        }
        if (plainStart < text.Length)
        {
            yield return (text[plainStart..], null);
        }
    }
}
