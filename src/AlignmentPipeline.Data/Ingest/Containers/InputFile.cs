using AlignmentPipeline.Core;

namespace AlignmentPipeline.Data.Ingest.Containers;

/// <summary>
/// Opens an input file decompressed (gzip is recognised by its magic bytes, whatever the extension, and its trailer
/// is checked so a truncated file fails loudly) and decides its
/// container: by extension first (<c>.jsonl</c>, <c>.ndjson</c>, <c>.json</c>, <c>.parquet</c>, <c>.csv</c>,
/// <c>.tsv</c>, each optionally followed by <c>.gz</c>), else by content (<c>PAR1</c>, <c>[</c> or <c>{</c>).
/// </summary>
internal static class InputFile
{
    public static Stream OpenDecompressed(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        Span<byte> magic = stackalloc byte[2];
        int read = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b ? new CheckedGzipStream(file) : file;
    }

    public static ContainerKind Detect(string path)
    {
        string name = Path.GetFileName(path).ToLowerInvariant();
        if (name.EndsWith(".gz", StringComparison.Ordinal))
        {
            name = name[..^3];
        }

        string extension = Path.GetExtension(name);
        switch (extension)
        {
            case ".jsonl" or ".ndjson":
                return ContainerKind.Jsonl;
            case ".parquet":
                return ContainerKind.Parquet;
            case ".csv":
                return ContainerKind.Csv;
            case ".tsv":
                return ContainerKind.Tsv;
        }

        if (StartsWithParquetMagic(path))
        {
            return ContainerKind.Parquet;
        }

        return FirstNonSpaceByte(path) switch
        {
            (byte)'[' => ContainerKind.JsonArray,
            (byte)'{' => ContainerKind.Jsonl,
            null when extension == ".json" => ContainerKind.JsonArray,
            null => ContainerKind.Jsonl,
            _ when extension == ".json" => ContainerKind.JsonArray,
            var other => throw new UserErrorException(
                $"cannot tell how '{path}' stores its rows: it starts with byte 0x{other:x2}, which is neither JSON, gzip nor Parquet; " +
                "name it .jsonl, .json, .parquet, .csv or .tsv (optionally .gz)"),
        };
    }

    private static bool StartsWithParquetMagic(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[4];
        return file.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("PAR1"u8);
    }

    private static byte? FirstNonSpaceByte(string path)
    {
        using var stream = OpenDecompressed(path);
        var buffer = new byte[4096];
        bool first = true;
        try
        {
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                var span = buffer.AsSpan(0, read);
                if (first && span.StartsWith("\uFEFF"u8))
                {
                    span = span[3..];
                }

                first = false;
                foreach (byte b in span)
                {
                    if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                    {
                        return b;
                    }
                }
            }
        }
        catch (InvalidDataException)
        {
            return null;
        }

        return null;
    }
}
