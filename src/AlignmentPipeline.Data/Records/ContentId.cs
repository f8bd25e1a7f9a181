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
        string nfc = text.IsNormalized(NormalizationForm.FormC) ? text : text.Normalize(NormalizationForm.FormC);
        var builder = new StringBuilder(nfc.Length);
        bool pendingSpace = false;
        foreach (char c in nfc)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    public static string Of(params string[] fields)
    {
        string joined = string.Join('\u0000', fields.Select(Normalize));
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(joined), hash);
        return Convert.ToHexStringLower(hash[..16]);
    }
}
