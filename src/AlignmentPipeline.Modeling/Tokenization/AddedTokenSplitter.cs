namespace AlignmentPipeline.Modeling.Tokenization;

/// <summary>
/// Splits text at occurrences of added tokens (e.g. <c>&lt;s&gt;</c>, <c>&lt;|im_start|&gt;</c>) the way Hugging Face
/// tokenizers do: scanning left to right, the longest added token starting at a position wins.
/// </summary>
internal sealed class AddedTokenSplitter
{
    // Candidates by first character, longest first, so a position costs one lookup when no token starts there.
    private readonly Dictionary<char, (string Content, int Id)[]> _byFirstChar;

    public AddedTokenSplitter(IReadOnlyDictionary<string, int> addedTokens) =>
        _byFirstChar = addedTokens.Where(t => t.Key.Length > 0)
            .GroupBy(t => t.Key[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Key.Length).Select(t => (t.Key, t.Value)).ToArray());

    /// <summary>Segments in order: plain text (<c>Id</c> null) or one added token (<c>Text</c> is its content).</summary>
    public IEnumerable<(string Text, int? Id)> Split(string text)
    {
        var plainStart = 0;
        for (var i = 0; i < text.Length;)
        {
            var match = _byFirstChar.TryGetValue(text[i], out var candidates)
                ? Array.FindIndex(candidates, t => string.CompareOrdinal(text, i, t.Content, 0, t.Content.Length) == 0)
                : -1;
            if (match < 0)
            {
                i++;
                continue;
            }
            if (i > plainStart)
            {
                yield return (text[plainStart..i], null);
            }
            var (content, id) = candidates![match];
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
