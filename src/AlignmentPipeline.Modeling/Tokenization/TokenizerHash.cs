using System.Security.Cryptography;
using System.Text;

namespace AlignmentPipeline.Modeling.Tokenization;

/// <summary>
/// SHA-256 content hashes for tokenizers: a rule tag (format, algorithm version, options that change output)
/// followed by the bytes that define the vocabulary. Same hash, same ids for every text.
/// </summary>
internal static class TokenizerHash
{
    /// <summary>Hashes <paramref name="rules"/> then each part, each prefixed with its length so parts cannot run together.</summary>
    public static string Compute(string rules, params IEnumerable<ReadOnlyMemory<byte>> parts)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendPart(sha, Encoding.UTF8.GetBytes(rules));
        foreach (var part in parts)
        {
            AppendPart(sha, part.Span);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static void AppendPart(IncrementalHash sha, ReadOnlySpan<byte> part)
    {
        Span<byte> length = stackalloc byte[8];
        BitConverter.TryWriteBytes(length, (long)part.Length);
        sha.AppendData(length);
        sha.AppendData(part);
    }
}
