using Microsoft.Win32.SafeHandles;

namespace AlignmentPipeline.Data.Dedup;

/// <summary>
/// Variable-length byte records by ordinal, kept on disk (a data file and a file of 8-byte offsets): appended in
/// ordinal order, then read at random. Holds row ids and shingle sets without memory per row.
/// </summary>
internal sealed class ScratchRecords : IDisposable
{
    private readonly string dataPath;
    private readonly string offsetsPath;
    private FileStream? data;
    private BinaryWriter? offsets;
    private SafeFileHandle? dataHandle;
    private SafeFileHandle? offsetsHandle;

    public ScratchRecords(string directory, string name)
    {
        dataPath = Path.Combine(directory, $"{name}.bin");
        offsetsPath = Path.Combine(directory, $"{name}-offsets.bin");
        data = new FileStream(dataPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        offsets = new BinaryWriter(new FileStream(offsetsPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16));
    }

    public void Add(ReadOnlySpan<byte> record)
    {
        offsets!.Write(data!.Position);
        data.Write(record);
    }

    /// <summary>Ends appending; afterwards records can be read.</summary>
    public void Complete()
    {
        offsets!.Write(data!.Position);
        offsets.Dispose();
        data.Dispose();
        offsets = null;
        data = null;
        dataHandle = File.OpenHandle(dataPath);
        offsetsHandle = File.OpenHandle(offsetsPath);
    }

    public byte[] this[int ordinal]
    {
        get
        {
            Span<byte> bounds = stackalloc byte[16];
            RandomAccess.Read(offsetsHandle!, bounds, ordinal * 8L);
            long start = BitConverter.ToInt64(bounds), end = BitConverter.ToInt64(bounds[8..]);
            var bytes = new byte[end - start];
            RandomAccess.Read(dataHandle!, bytes, start);
            return bytes;
        }
    }

    public void Dispose()
    {
        offsets?.Dispose();
        data?.Dispose();
        dataHandle?.Dispose();
        offsetsHandle?.Dispose();
    }
}
