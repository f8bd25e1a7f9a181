using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using AlignmentPipeline.Data.Records;

namespace AlignmentPipeline.Data.Splits;

/// <summary>
/// Assigns a row to a split from a hash of its key alone, so the assignment never depends on other rows: it is
/// deterministic, and appending rows never moves an existing row. Splits are laid out on [0, 1) in name order.
/// </summary>
public sealed class SplitAssigner
{
    private readonly (string Name, double Upper)[] bounds;
    private readonly SplitKey by;
    private readonly string salt;

    public SplitAssigner(IReadOnlyDictionary<string, double> fractions, SplitKey by, int seed)
    {
        double upper = 0;
        bounds = fractions.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => (f.Key, upper += f.Value)).ToArray();
        bounds[^1].Upper = double.PositiveInfinity;
        this.by = by;
        salt = seed.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\u0000";
    }

    public string Assign(PreferencePair pair)
    {
        string key = by == SplitKey.Id ? pair.Id : ContentId.Normalize(pair.Prompt);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(salt + key), hash);
        double position = (BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) * (1.0 / (1UL << 53));
        foreach (var (name, bound) in bounds)
        {
            if (position < bound)
            {
                return name;
            }
        }

        return bounds[^1].Name;
    }
}
