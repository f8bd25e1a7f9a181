using System.Buffers.Binary;
using System.IO.Hashing;

namespace AlignmentPipeline.Data.Tests.Cards;

/// <summary>Checks that bytes are a well-formed PNG: the signature, then chunks with matching CRC-32s from IHDR to IEND.</summary>
internal static class PngFile
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The image size from IHDR; fails the test when any chunk is damaged or the structure is wrong.</summary>
    public static (int Width, int Height) AssertValid(byte[] png)
    {
        Assert.True(png.AsSpan().StartsWith(Signature), "missing PNG signature");
        var chunks = new List<string>();
        int offset = Signature.Length;
        while (offset < png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset, 4));
            var typeAndData = png.AsSpan(offset + 4, 4 + length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset + 8 + length, 4));
            string type = System.Text.Encoding.ASCII.GetString(typeAndData[..4]);
            Assert.True(Crc32.HashToUInt32(typeAndData) == crc, $"chunk {type} at byte {offset} has a wrong CRC");
            chunks.Add(type);
            offset += 12 + length;
        }

        Assert.Equal(png.Length, offset);
        Assert.Equal("IHDR", chunks[0]);
        Assert.Equal("IEND", chunks[^1]);
        Assert.Contains("IDAT", chunks);
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
    }
}
