using Parquet;

namespace AlignmentPipeline.Data.Tables;

/// <summary>Parquet options shared by the table reader and writer.</summary>
internal static class TableFiles
{
    /// <summary>
    /// Snappy compression (Parquet.Net's default), and bounded pools of free buffers: Parquet.Net otherwise keeps every
    /// buffer it ever pooled, which over a long stage looks like a leak.
    /// </summary>
    public static ParquetOptions Options => new()
    {
        CompressionMethod = CompressionMethod.Snappy,
        MaximumSmallPoolFreeBytes = 16 << 20,
        MaximumLargePoolFreeBytes = 64 << 20,
    };
}
