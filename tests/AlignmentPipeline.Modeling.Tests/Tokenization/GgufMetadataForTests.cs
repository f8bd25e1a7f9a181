using System.Text;

namespace AlignmentPipeline.Modeling.Tests.Tokenization;

/// <summary>A minimal GGUF v2/v3 metadata reader (key-value section only) so tokenizer tests need no model loader.</summary>
internal static class GgufMetadataForTests
{
    public static Dictionary<string, object> Read(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        Assert.Equal("GGUF", Encoding.ASCII.GetString(reader.ReadBytes(4)));
        reader.ReadUInt32(); // version
        reader.ReadUInt64(); // tensor count
        var count = reader.ReadUInt64();
        var metadata = new Dictionary<string, object>();
        for (ulong i = 0; i < count; i++)
        {
            var key = ReadString(reader);
            metadata[key] = ReadValue(reader, reader.ReadUInt32());
        }
        return metadata;
    }

    private static string ReadString(BinaryReader reader) => Encoding.UTF8.GetString(reader.ReadBytes(checked((int)reader.ReadUInt64())));

    private static object ReadValue(BinaryReader reader, uint type) => type switch
    {
        0 => reader.ReadByte(),
        1 => reader.ReadSByte(),
        2 => reader.ReadUInt16(),
        3 => reader.ReadInt16(),
        4 => reader.ReadUInt32(),
        5 => reader.ReadInt32(),
        6 => reader.ReadSingle(),
        7 => reader.ReadBoolean(),
        8 => ReadString(reader),
        9 => ReadArray(reader),
        10 => reader.ReadUInt64(),
        11 => reader.ReadInt64(),
        12 => reader.ReadDouble(),
        _ => throw new InvalidDataException($"unknown GGUF value type {type}"),
    };

    private static object[] ReadArray(BinaryReader reader)
    {
        var elementType = reader.ReadUInt32();
        var length = checked((int)reader.ReadUInt64());
        var values = new object[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = ReadValue(reader, elementType);
        }
        return values;
    }
}
