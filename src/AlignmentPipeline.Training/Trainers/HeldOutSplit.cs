using System.Security.Cryptography;
using System.Text;

namespace AlignmentPipeline.Training.Trainers;

/// <summary>Which pairs a trainer holds out for evaluation: the same rule for every trainer, so their eval splits agree.</summary>
internal static class HeldOutSplit
{
    /// <summary>Whether pair <paramref name="id"/> is held out: SHA-256("seed:eval:id") read as a fraction below <paramref name="fraction"/>.</summary>
    public static bool Contains(long seed, double fraction, string id) =>
        fraction > 0 && BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}:eval:{id}"))) / (double)ulong.MaxValue < fraction;
}
