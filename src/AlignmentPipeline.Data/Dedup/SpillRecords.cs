using System.Buffers.Binary;

namespace AlignmentPipeline.Data.Dedup;

/// <summary>A row's 128-bit key hash; sorts by hash, then by ordinal (so a group starts with its survivor).</summary>
internal readonly record struct KeyRecord(ulong Hi, ulong Lo, int Ordinal) : IComparable<KeyRecord>
{
    public const int Size = 20;

    public static KeyRecord Read(BinaryReader reader) => new(reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadInt32());

    public void Write(BinaryWriter writer)
    {
        writer.Write(Hi);
        writer.Write(Lo);
        writer.Write(Ordinal);
    }

    public bool SameKey(KeyRecord other) => Hi == other.Hi && Lo == other.Lo;

    public int CompareTo(KeyRecord other)
    {
        int c = Hi.CompareTo(other.Hi);
        c = c != 0 ? c : Lo.CompareTo(other.Lo);
        return c != 0 ? c : Ordinal.CompareTo(other.Ordinal);
    }
}

/// <summary>A row's hash of one LSH band; sorts by band, hash, then ordinal.</summary>
internal readonly record struct BandRecord(ulong Hash, ushort Band, int Ordinal) : IComparable<BandRecord>
{
    /// <summary>Bytes of a written record: hash, band, ordinal, little-endian.</summary>
    public const int Size = 14;

    public static BandRecord Read(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(bytes),
        BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]),
        BinaryPrimitives.ReadInt32LittleEndian(bytes[10..]));

    public void Write(BinaryWriter writer)
    {
        writer.Write(Hash);
        writer.Write(Band);
        writer.Write(Ordinal);
    }

    public bool SameBucket(BandRecord other) => Hash == other.Hash && Band == other.Band;

    public int CompareTo(BandRecord other)
    {
        int c = Band.CompareTo(other.Band);
        c = c != 0 ? c : Hash.CompareTo(other.Hash);
        return c != 0 ? c : Ordinal.CompareTo(other.Ordinal);
    }
}
