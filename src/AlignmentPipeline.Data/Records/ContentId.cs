using System.Security.Cryptography;
using System.Text;

namespace AlignmentPipeline.Data.Records;

/// <summary>
/// Normalization and content ids. Normalized text is Unicode NFC with every run of white space collapsed to one space
/// and trimmed; the id of a pair is the first 16 bytes (hex) of SHA-256 over its normalized fields joined by U+0000.
/// </summary>
public static class ContentId
{
    public static string Normalize(string text)
    {
        string nfc = Nfc(text);
        var buffer = nfc.Length <= 512 ? stackalloc char[nfc.Length] : new char[nfc.Length];
        return new string(buffer[..NormalizeInto(nfc, buffer)]);
    }

    /// <summary>
    /// Writes text already in NFC (see <see cref="Nfc"/>) normalized into <paramref name="destination"/> (at least as
    /// long as the text) and returns how many characters it wrote.
    /// </summary>
    internal static int NormalizeInto(ReadOnlySpan<char> nfc, Span<char> destination)
    {
        int written = 0;
        bool pendingSpace = false;
        foreach (char c in nfc)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = written > 0;
                continue;
            }

            if (pendingSpace)
            {
                destination[written++] = ' ';
                pendingSpace = false;
            }

            destination[written++] = c;
        }

        return written;
    }

    /// <summary>The text in Unicode NFC, checking the cheap ASCII case first.</summary>
    internal static string Nfc(string text) =>
        Ascii.IsValid(text) || text.IsNormalized(NormalizationForm.FormC) ? text : text.Normalize(NormalizationForm.FormC);

    public static string Of(params string[] fields)
    {
        string joined = string.Join('\u0000', fields.Select(Normalize));
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(joined), hash);
        return Convert.ToHexStringLower(hash[..16]);
    }
}
