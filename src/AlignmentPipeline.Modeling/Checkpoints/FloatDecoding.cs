using System.Buffers.Binary;

namespace AlignmentPipeline.Modeling.Checkpoints;

/// <summary>Little-endian F32 / F16 / BF16 bytes to float32 (every F16 and BF16 value is exact in float32).</summary>
internal static class FloatDecoding
{
    public static float[] Decode(ReadOnlySpan<byte> bytes, string dtype)
    {
        switch (dtype)
        {
            case "F32":
                var f32 = new float[bytes.Length / 4];
                for (var i = 0; i < f32.Length; i++)
                {
                    f32[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                }

                return f32;
            case "F16":
                var f16 = new float[bytes.Length / 2];
                for (var i = 0; i < f16.Length; i++)
                {
                    f16[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]);
                }

                return f16;
            case "BF16":
                var bf16 = new float[bytes.Length / 2];
                for (var i = 0; i < bf16.Length; i++)
                {
                    bf16[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]) << 16);
                }

                return bf16;
            default:
                throw new ArgumentException($"dtype {dtype} is not decodable", nameof(dtype));
        }
    }

    /// <summary>Bytes per element of F32, F16 or BF16; null for any other dtype.</summary>
    public static int? ElementSize(string dtype) => dtype switch
    {
        "F32" => 4,
        "F16" or "BF16" => 2,
        _ => null,
    };
}
