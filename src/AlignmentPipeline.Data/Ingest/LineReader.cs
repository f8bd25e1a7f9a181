namespace AlignmentPipeline.Data.Ingest;

/// <summary>
/// Reads a decompressed stream (see <see cref="Containers.InputFile.OpenDecompressed"/>) as raw byte lines, so invalid
/// UTF-8 can be quarantined instead of silently replaced, skipping a UTF-8 BOM and treating CRLF like LF. Lines of any
/// length are supported.
/// </summary>
internal sealed class LineReader : IAsyncDisposable
{
    private readonly Stream stream;
    private byte[] buffer = new byte[1 << 16];
    private int start;
    private int end;
    private bool eof;
    private bool first = true;

    /// <summary>Reads lines from an already decompressed stream, which it disposes.</summary>
    public LineReader(Stream stream) => this.stream = stream;

    /// <summary>1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>The next line without its terminator, or null at the end. Throws InvalidDataException on a damaged gzip stream.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
            if (newline >= 0)
            {
                var line = Trim(buffer.AsMemory(start, newline - start));
                start = newline + 1;
                LineNumber++;
                return line;
            }

            if (eof)
            {
                if (start == end)
                {
                    return null;
                }

                var last = Trim(buffer.AsMemory(start, end - start));
                start = end;
                LineNumber++;
                return last;
            }

            await FillAsync(cancellationToken);
        }
    }

    public ValueTask DisposeAsync() => stream.DisposeAsync();

    private ReadOnlyMemory<byte> Trim(ReadOnlyMemory<byte> line)
    {
        if (first)
        {
            first = false;
            if (line.Span.StartsWith("\uFEFF"u8))
            {
                line = line[3..];
            }
        }

        return line.Length > 0 && line.Span[^1] == (byte)'\r' ? line[..^1] : line;
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (start > 0)
        {
            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }

        if (end == buffer.Length)
        {
            Array.Resize(ref buffer, buffer.Length * 2);
        }

        int read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken);
        if (read == 0)
        {
            eof = true;
        }

        end += read;
    }
}
