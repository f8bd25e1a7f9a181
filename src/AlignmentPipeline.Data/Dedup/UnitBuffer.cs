namespace AlignmentPipeline.Data.Dedup;

/// <summary>A growable buffer of unit hashes, reused across rows by one thread so hashing a row allocates nothing.</summary>
internal sealed class UnitBuffer
{
    private ulong[] items = new ulong[256];

    public int Count { get; private set; }

    public ReadOnlySpan<ulong> Span => items.AsSpan(0, Count);

    public void Add(ulong value)
    {
        if (Count == items.Length)
        {
            Array.Resize(ref items, items.Length * 2);
        }

        items[Count++] = value;
    }

    public void Clear() => Count = 0;
}
