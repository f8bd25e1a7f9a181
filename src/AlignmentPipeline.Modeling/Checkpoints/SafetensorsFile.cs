using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignmentPipeline.Modeling.Checkpoints;

/// <summary>
/// The safetensors format: an 8-byte little-endian header length N, N bytes of JSON
/// (<c>{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {…}}</c>), then the data.
/// </summary>
internal static class SafetensorsFile
{
    private const long MaxHeaderBytes = 100_000_000;

    /// <summary>Reads every F32/F16/BF16 tensor of the file as float32.</summary>
    public static Dictionary<string, HostTensor> Read(string path)
    {
        using var stream = File.OpenRead(path);
        var fileLength = stream.Length;
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) < 8)
        {
            throw new ModelFormatException(path, $"not a safetensors file: {fileLength} bytes is shorter than the 8-byte header length");
        }

        var headerLength = BinaryPrimitives.ReadInt64LittleEndian(lengthBytes);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > fileLength)
        {
            throw new ModelFormatException(path, $"not a safetensors file: header length {headerLength} does not fit the file of {fileLength} bytes");
        }

        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        JsonObject header;
        try
        {
            header = JsonNode.Parse(headerBytes)?.AsObject() ?? throw new JsonException("header is null");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new ModelFormatException(path, $"safetensors header is not a JSON object: {e.Message}", e);
        }

        var dataStart = 8 + headerLength;
        var tensors = new Dictionary<string, HostTensor>(StringComparer.Ordinal);
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                continue;
            }

            var (dtype, shape, begin, end) = ParseEntry(path, name, node);
            var elementSize = FloatDecoding.ElementSize(dtype)
                ?? throw new ModelFormatException(path, $"tensor '{name}' has dtype {dtype}; only F32, F16 and BF16 are supported");
            var count = shape.Aggregate(1L, (a, b) => a * b);
            if (end - begin != count * elementSize || begin < 0 || dataStart + end > fileLength)
            {
                throw new ModelFormatException(path,
                    $"tensor '{name}' ({dtype} {HostTensor.Format(shape)}) expects {count * elementSize} bytes at [{begin}, {end}) " +
                    $"of a data section of {fileLength - dataStart} bytes");
            }

            var bytes = new byte[end - begin];
            stream.Position = dataStart + begin;
            stream.ReadExactly(bytes);
            tensors[name] = new HostTensor(shape, FloatDecoding.Decode(bytes, dtype));
        }

        return tensors;
    }

    private static (string Dtype, long[] Shape, long Begin, long End) ParseEntry(string path, string name, JsonNode? node)
    {
        try
        {
            var entry = node!.AsObject();
            var dtype = entry["dtype"]!.GetValue<string>();
            var shape = entry["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
            var offsets = entry["data_offsets"]!.AsArray();
            if (shape.Any(d => d < 0) || offsets.Count != 2)
            {
                throw new InvalidOperationException("negative dimension or data_offsets without two entries");
            }

            return (dtype, shape, offsets[0]!.GetValue<long>(), offsets[1]!.GetValue<long>());
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new ModelFormatException(path, $"tensor '{name}' has a malformed header entry: {e.Message}", e);
        }
    }

    /// <summary>
    /// Writes tensors in name order as F32, or as BF16 when <paramref name="bfloat16"/> (values must then be exactly
    /// representable in bfloat16, as the values of a bfloat16 model are).
    /// </summary>
    public static void Write(string path, IReadOnlyList<(string Name, HostTensor Tensor)> tensors, bool bfloat16)
    {
        var elementSize = bfloat16 ? 2 : 4;
        var header = new JsonObject { ["__metadata__"] = new JsonObject { ["format"] = "pt" } };
        var ordered = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        long offset = 0;
        foreach (var (name, tensor) in ordered)
        {
            var size = (long)tensor.Values.Length * elementSize;
            header[name] = new JsonObject
            {
                ["dtype"] = bfloat16 ? "BF16" : "F32",
                ["shape"] = new JsonArray(tensor.Shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + size),
            };
            offset += size;
        }

        var headerText = header.ToJsonString();
        var padding = (8 - Encoding.UTF8.GetByteCount(headerText) % 8) % 8;
        var headerBytes = Encoding.UTF8.GetBytes(headerText + new string(' ', padding));
        using var stream = File.Create(path);
        Span<byte> lengthBytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(lengthBytes, headerBytes.Length);
        stream.Write(lengthBytes);
        stream.Write(headerBytes);
        foreach (var (_, tensor) in ordered)
        {
            var bytes = new byte[tensor.Values.Length * elementSize];
            for (var i = 0; i < tensor.Values.Length; i++)
            {
                if (bfloat16)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), (ushort)(BitConverter.SingleToUInt32Bits(tensor.Values[i]) >> 16));
                }
                else
                {
                    BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), tensor.Values[i]);
                }
            }

            stream.Write(bytes);
        }
    }
}
