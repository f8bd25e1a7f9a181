using System.Text;

namespace AlignmentPipeline.Modeling.Checkpoints;

/// <summary>ggml tensor element types that can appear in a GGUF file (only F32, F16 and BF16 are readable here).</summary>
public enum GgufTensorType : uint
{
    /// <summary>32-bit float.</summary>
    F32 = 0,

    /// <summary>IEEE half.</summary>
    F16 = 1,

    /// <summary>bfloat16.</summary>
    BF16 = 30,
}

/// <summary>One tensor's directory entry.</summary>
/// <param name="Name">GGUF name, e.g. <c>blk.0.attn_q.weight</c>.</param>
/// <param name="Shape">Dimensions in PyTorch order (GGUF's ne[] reversed), e.g. (out, in) for a matrix.</param>
/// <param name="Type">Element type; values outside <see cref="GgufTensorType"/>'s names are quantized types.</param>
/// <param name="Offset">Byte offset relative to the start of the data section.</param>
public sealed record GgufTensorInfo(string Name, long[] Shape, GgufTensorType Type, long Offset);

/// <summary>
/// A GGUF (version 2 or 3) file's header: metadata key/values and the tensor directory. Metadata values are
/// .NET scalars (byte, sbyte, ushort, short, uint, int, ulong, long, float, double, bool, string) or arrays of them
/// (e.g. <c>string[]</c> for <c>tokenizer.ggml.tokens</c>, <c>float[]</c> for <c>tokenizer.ggml.scores</c>,
/// <c>int[]</c> for <c>tokenizer.ggml.token_type</c>; ids such as <c>tokenizer.ggml.bos_token_id</c> via
/// <see cref="GetInteger"/>). The tokenizer engineers build <c>Tokenization.GgufVocabulary</c> from these keys.
/// </summary>
public sealed class GgufFile
{
    private const uint Magic = 0x46554747; // "GGUF" little-endian
    private const int MaxDimensions = 4;

    private GgufFile(string path, uint version, IReadOnlyDictionary<string, object> metadata, IReadOnlyList<GgufTensorInfo> tensors, long dataOffset)
    {
        (FilePath, Version, Metadata, Tensors, DataOffset) = (path, version, metadata, tensors, dataOffset);
    }

    /// <summary>The file read.</summary>
    public string FilePath { get; }

    /// <summary>GGUF format version (2 or 3).</summary>
    public uint Version { get; }

    /// <summary>Every metadata key and value, in file order.</summary>
    public IReadOnlyDictionary<string, object> Metadata { get; }

    /// <summary>The tensor directory, in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>Absolute byte offset of the (aligned) data section.</summary>
    public long DataOffset { get; }

    /// <summary>Reads the header of a GGUF file; throws <see cref="ModelFormatException"/> when it is malformed.</summary>
    public static GgufFile Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            var magic = reader.ReadUInt32();
            if (magic != Magic)
            {
                throw new ModelFormatException(path, $"not a GGUF file: magic 0x{magic:x8}, expected 0x{Magic:x8} (\"GGUF\")");
            }

            var version = reader.ReadUInt32();
            if (version is not (2 or 3))
            {
                throw new ModelFormatException(path, $"GGUF version {version} is not supported (2, 3)");
            }

            var tensorCount = Count(reader, "tensor count", 24);
            var metadataCount = Count(reader, "metadata count", 12);
            var metadata = new Dictionary<string, object>(StringComparer.Ordinal);
            for (long i = 0; i < metadataCount; i++)
            {
                var key = ReadString(reader);
                metadata[key] = ReadValue(reader, reader.ReadUInt32(), key);
            }

            var tensors = new List<GgufTensorInfo>();
            for (long i = 0; i < tensorCount; i++)
            {
                var name = ReadString(reader);
                var dims = reader.ReadUInt32();
                if (dims is 0 or > MaxDimensions)
                {
                    throw new ModelFormatException(path, $"tensor '{name}' has {dims} dimensions (1 to {MaxDimensions} allowed)");
                }

                var shape = Enumerable.Range(0, (int)dims).Select(_ => (long)reader.ReadUInt64()).Reverse().ToArray();
                tensors.Add(new GgufTensorInfo(name, shape, (GgufTensorType)reader.ReadUInt32(), (long)reader.ReadUInt64()));
            }

            var alignment = metadata.TryGetValue("general.alignment", out var a) ? Convert.ToInt64(a) : 32;
            var dataOffset = (stream.Position + alignment - 1) / alignment * alignment;
            return new GgufFile(path, version, metadata, tensors, dataOffset);
        }
        catch (EndOfStreamException e)
        {
            throw new ModelFormatException(path, $"GGUF header is truncated at byte {stream.Position} of {stream.Length}", e);
        }
        catch (InvalidDataException e)
        {
            throw new ModelFormatException(path, e.Message, e);
        }
    }

    /// <summary>A string metadata value; throws when the key is missing or not a string.</summary>
    public string GetString(string key) =>
        Get(key) as string ?? throw new ModelFormatException(FilePath, $"metadata '{key}' is {Get(key).GetType().Name}, expected a string");

    /// <summary>An integer metadata value of any integer type.</summary>
    public long GetInteger(string key) => Get(key) switch
    {
        byte or sbyte or ushort or short or uint or int or long => Convert.ToInt64(Get(key)),
        ulong u when u <= long.MaxValue => (long)u,
        var other => throw new ModelFormatException(FilePath, $"metadata '{key}' is {other.GetType().Name}, expected an integer"),
    };

    /// <summary>A floating-point metadata value (float32 or float64).</summary>
    public double GetFloat(string key) => Get(key) switch
    {
        float f => f,
        double d => d,
        var other => throw new ModelFormatException(FilePath, $"metadata '{key}' is {other.GetType().Name}, expected a float"),
    };

    /// <summary>An array metadata value with elements of type <typeparamref name="T"/> (e.g. string, float, int).</summary>
    public T[] GetArray<T>(string key) =>
        Get(key) as T[] ?? throw new ModelFormatException(FilePath, $"metadata '{key}' is {Get(key).GetType().Name}, expected {typeof(T).Name}[]");

    /// <summary>Whether a metadata key is present.</summary>
    public bool Has(string key) => Metadata.ContainsKey(key);

    /// <summary>Reads one F32/F16/BF16 tensor as float32 values, row-major in <see cref="GgufTensorInfo.Shape"/>.</summary>
    internal float[] ReadTensor(GgufTensorInfo info)
    {
        var dtype = info.Type switch
        {
            GgufTensorType.F32 => "F32",
            GgufTensorType.F16 => "F16",
            GgufTensorType.BF16 => "BF16",
            _ => throw new ModelFormatException(FilePath,
                $"tensor '{info.Name}' has ggml type {(uint)info.Type}; only F32 (0), F16 (1) and BF16 (30) are supported, not quantized types"),
        };
        var count = info.Shape.Aggregate(1L, (x, y) => x * y);
        var length = count * FloatDecoding.ElementSize(dtype)!.Value;
        using var stream = File.OpenRead(FilePath);
        var start = DataOffset + info.Offset;
        if (info.Offset < 0 || start + length > stream.Length)
        {
            throw new ModelFormatException(FilePath,
                $"tensor '{info.Name}' ({dtype} {HostTensor.Format(info.Shape)}) needs bytes [{start}, {start + length}) but the file has {stream.Length} (truncated?)");
        }

        var bytes = new byte[length];
        stream.Position = start;
        stream.ReadExactly(bytes);
        return FloatDecoding.Decode(bytes, dtype);
    }

    private object Get(string key) =>
        Metadata.TryGetValue(key, out var value) ? value : throw new ModelFormatException(FilePath, $"metadata key '{key}' is missing");

    private static long Count(BinaryReader reader, string what, int minBytesEach)
    {
        var count = reader.ReadUInt64();
        var remaining = reader.BaseStream.Length - reader.BaseStream.Position;
        return count <= (ulong)(remaining / minBytesEach)
            ? (long)count
            : throw new InvalidDataException($"GGUF {what} {count} cannot fit in the remaining {remaining} bytes");
    }

    private static string ReadString(BinaryReader reader)
    {
        var length = reader.ReadUInt64();
        var remaining = reader.BaseStream.Length - reader.BaseStream.Position;
        if (length > (ulong)remaining)
        {
            throw new InvalidDataException($"GGUF string of {length} bytes at byte {reader.BaseStream.Position} runs past the end of the file");
        }

        return Encoding.UTF8.GetString(reader.ReadBytes((int)length));
    }

    private static object ReadValue(BinaryReader reader, uint type, string key) => type switch
    {
        0 => reader.ReadByte(),
        1 => reader.ReadSByte(),
        2 => reader.ReadUInt16(),
        3 => reader.ReadInt16(),
        4 => reader.ReadUInt32(),
        5 => reader.ReadInt32(),
        6 => reader.ReadSingle(),
        7 => reader.ReadByte() != 0,
        8 => ReadString(reader),
        9 => ReadArray(reader, key),
        10 => reader.ReadUInt64(),
        11 => reader.ReadInt64(),
        12 => reader.ReadDouble(),
        _ => throw new InvalidDataException($"metadata '{key}' has unknown GGUF value type {type}"),
    };

    private static Array ReadArray(BinaryReader reader, string key)
    {
        var elementType = reader.ReadUInt32();
        var count = (int)Count(reader, $"array length of '{key}'", 1);
        return elementType switch
        {
            0 => reader.ReadBytes(count),
            4 => Repeat(count, reader.ReadUInt32),
            5 => Repeat(count, reader.ReadInt32),
            6 => Repeat(count, reader.ReadSingle),
            8 => Repeat(count, () => ReadString(reader)),
            10 => Repeat(count, reader.ReadUInt64),
            11 => Repeat(count, reader.ReadInt64),
            12 => Repeat(count, reader.ReadDouble),
            9 => throw new InvalidDataException($"metadata '{key}' is a nested array, which is not supported"),
            _ => Repeat(count, () => ReadValue(reader, elementType, key)),
        };
    }

    private static T[] Repeat<T>(int count, Func<T> read)
    {
        var result = new T[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = read();
        }

        return result;
    }
}
