using System.Text;
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

    /// <summary>Starts appending to <c>{name}.bin</c> and <c>{name}-offsets.bin</c> in <paramref name="directory"/>.</summary>
    public ScratchRecords(string directory, string name)
        : this(Path.Combine(directory, $"{name}.bin"), Path.Combine(directory, $"{name}-offsets.bin"), writing: true)
    {
    }

    private ScratchRecords(string dataPath, string offsetsPath, bool writing)
    {
        this.dataPath = dataPath;
        this.offsetsPath = offsetsPath;
        if (!writing)
        {
            OpenForReading();
            return;
        }

        data = new FileStream(dataPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        offsets = new BinaryWriter(new FileStream(offsetsPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16));
    }

    /// <summary>The data file (complete it first to read or copy it).</summary>
    public string DataPath => dataPath;

    /// <summary>The offsets file: record i spans bytes [offset i, offset i+1) of the data file.</summary>
    public string OffsetsPath => offsetsPath;

    /// <summary>Opens complete record files written before (for example copied from another task's output) for reading.</summary>
    public static ScratchRecords Open(string dataPath, string offsetsPath) => new(dataPath, offsetsPath, writing: false);

    public void Add(ReadOnlySpan<byte> record)
    {
        offsets!.Write(data!.Position);
        data.Write(record);
    }

    /// <summary>Appends a string as UTF-8.</summary>
    public void Add(string text)
    {
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        Span<byte> bytes = max <= 1024 ? stackalloc byte[max] : new byte[max];
        Add(bytes[..Encoding.UTF8.GetBytes(text, bytes)]);
    }

    /// <summary>Ends appending; afterwards records can be read.</summary>
    public void Complete()
    {
        offsets!.Write(data!.Position);
        offsets.Dispose();
        data.Dispose();
        offsets = null;
        data = null;
        OpenForReading();
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

    /// <summary>Record <paramref name="ordinal"/> as UTF-8 text.</summary>
    public string Text(int ordinal) => Encoding.UTF8.GetString(this[ordinal]);

    public void Dispose()
    {
        offsets?.Dispose();
        data?.Dispose();
        dataHandle?.Dispose();
        offsetsHandle?.Dispose();
    }

    private void OpenForReading()
    {
        dataHandle = File.OpenHandle(dataPath);
        offsetsHandle = File.OpenHandle(offsetsPath);
    }
}
