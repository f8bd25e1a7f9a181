using System.Security.Cryptography;
using System.Text;

namespace AlignmentPipeline.Modeling.Checkpoints;

/// <summary>SHA-256 over files, for cache keys and stage fingerprints.</summary>
internal static class ContentHash
{
    /// <summary>
    /// Lowercase hex SHA-256 over each file's name, length and bytes, in the given order (callers pass a canonical
    /// order: config first, then weights sorted by name).
    /// </summary>
    public static string Of(IEnumerable<string> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        foreach (var file in files)
        {
            using var stream = File.OpenRead(file);
            hash.AppendData(Encoding.UTF8.GetBytes($"{Path.GetFileName(file)}\n{stream.Length}\n"));
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
