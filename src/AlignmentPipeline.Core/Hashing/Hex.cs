using System.Security.Cryptography;

namespace AlignmentPipeline.Core.Hashing;

/// <summary>Lower-case hexadecimal SHA-256.</summary>
public static class Hex
{
    public static string Sha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public static async Task<string> Sha256Async(Stream stream, CancellationToken cancellationToken = default) =>
        Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));

    public static string Sha256(string text) => Sha256(System.Text.Encoding.UTF8.GetBytes(text));
}
