using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace AlignmentPipeline.Data.Ingest.Containers;

/// <summary>
/// Decompresses a gzip file and, at the end, checks the CRC-32 and size in its trailer against what came out.
/// <see cref="GZipStream"/> alone ends quietly at a truncated file, which would drop rows silently; this stream
/// throws <see cref="InvalidDataException"/> instead. Only single-member gzip files pass the check (concatenated
/// members, as written by bgzip, are reported as damaged).
/// </summary>
internal sealed class CheckedGzipStream : Stream
{
    private readonly FileStream file;
    private readonly GZipStream gzip;
    private readonly Crc32 crc = new();
    private readonly uint expectedCrc;
    private readonly uint expectedSize;
    private readonly bool hasTrailer;
    private long produced;
    private bool verified;

    public CheckedGzipStream(FileStream file)
    {
        this.file = file;
        Span<byte> trailer = stackalloc byte[8];
        if (file.Length >= 18)
        {
            file.Position = file.Length - 8;
            file.ReadExactly(trailer);
            expectedCrc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
            expectedSize = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
            hasTrailer = true;
        }

        file.Position = 0;
        gzip = new GZipStream(file, CompressionMode.Decompress);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => produced; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read = gzip.Read(buffer);
        return Account(buffer[..read]);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await gzip.ReadAsync(buffer, cancellationToken);
        return Account(buffer.Span[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            gzip.Dispose();
            file.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Account(ReadOnlySpan<byte> data)
    {
        if (data.Length > 0)
        {
            crc.Append(data);
            produced += data.Length;
            return data.Length;
        }

        if (!verified)
        {
            verified = true;
            uint actualCrc = crc.GetCurrentHashAsUInt32();
            if (!hasTrailer || actualCrc != expectedCrc || (uint)produced != expectedSize)
            {
                throw new InvalidDataException(
                    $"the gzip data ends after {produced:N0} bytes without a matching trailer (CRC-32 and size); the file is truncated or damaged");
            }
        }

        return 0;
    }
}
