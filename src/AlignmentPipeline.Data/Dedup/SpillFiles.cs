namespace AlignmentPipeline.Data.Dedup;

/// <summary>
/// Fixed-size binary records spilled to <c>count</c> hash-partitioned files in a scratch folder, so a global grouping
/// needs only one partition in memory at a time.
/// </summary>
internal sealed class SpillFiles : IDisposable
{
    private readonly string[] paths;
    private readonly BinaryWriter?[] writers;

    public SpillFiles(string directory, string name, int count)
    {
        paths = Enumerable.Range(0, count).Select(i => Path.Combine(directory, $"{name}-{i:D4}.bin")).ToArray();
        writers = new BinaryWriter?[count];
    }

    public int Count => paths.Length;

    /// <summary>The writer of the partition a hash falls in.</summary>
    public BinaryWriter For(ulong hash)
    {
        int partition = (int)(hash % (ulong)paths.Length);
        return writers[partition] ??= new BinaryWriter(new FileStream(paths[partition], FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16));
    }

    /// <summary>Closes the writers; afterwards partitions can be read.</summary>
    public void Complete()
    {
        for (int i = 0; i < writers.Length; i++)
        {
            writers[i]?.Dispose();
            writers[i] = null;
        }
    }

    /// <summary>The records of one partition, read with <paramref name="read"/> until the file ends.</summary>
    public List<T> Read<T>(int partition, Func<BinaryReader, T> read)
    {
        var records = new List<T>();
        if (!File.Exists(paths[partition]))
        {
            return records;
        }

        using var reader = new BinaryReader(new FileStream(paths[partition], FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16));
        long length = reader.BaseStream.Length;
        while (reader.BaseStream.Position < length)
        {
            records.Add(read(reader));
        }

        return records;
    }

    public void Dispose() => Complete();
}
