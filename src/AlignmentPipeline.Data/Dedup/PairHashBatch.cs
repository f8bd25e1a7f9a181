using System.IO.Hashing;
using System.Runtime.InteropServices;
using AlignmentPipeline.Data.Records;

namespace AlignmentPipeline.Data.Dedup;

/// <summary>
/// The per-row hashes of <c>kind: dedup</c> for a batch of pairs, computed on all cores: the 128-bit exact key and the
/// prompt key (with <c>max_per_prompt</c>). A key is XxHash128 of the UTF-16 code units of the normalized fields joined
/// by U+0000, normalized into a reused buffer without building strings. Row r's values sit at index r, so the caller
/// spills them in input order and the result never depends on thread timing.
/// </summary>
internal sealed class PairHashBatch
{
    private readonly DedupOptions options;

    public PairHashBatch(DedupOptions options, int capacity)
    {
        this.options = options;
        Capacity = capacity;
        Keys = new KeyRecord[capacity];
        Prompts = new KeyRecord[options.MaxPerPrompt is null ? 0 : capacity];
    }

    public int Capacity { get; }

    public List<PreferencePair> Pairs { get; } = [];

    /// <summary>Exact keys (ordinal 0; the caller sets it).</summary>
    public KeyRecord[] Keys { get; }

    /// <summary>Prompt keys when <c>max_per_prompt</c> is set.</summary>
    public KeyRecord[] Prompts { get; }

    public void Compute() => Parallel.For(0, Pairs.Count, () => new char[4096], (r, _, buffer) =>
    {
        var pair = Pairs[r];
        Keys[r] = Hash(pair, options.Key, ref buffer);
        if (options.MaxPerPrompt is not null)
        {
            Prompts[r] = Hash(pair, DedupKey.Prompt, ref buffer);
        }

        return buffer;
    }, _ => { });

    public void Clear() => Pairs.Clear();

    private static KeyRecord Hash(PreferencePair pair, DedupKey key, ref char[] buffer)
    {
        string prompt = ContentId.Nfc(pair.Prompt);
        string chosen = key == DedupKey.Prompt ? "" : ContentId.Nfc(pair.Chosen);
        string rejected = key == DedupKey.Pair ? ContentId.Nfc(pair.Rejected) : "";
        int capacity = prompt.Length + chosen.Length + rejected.Length + 2;
        if (buffer.Length < capacity)
        {
            buffer = new char[Math.Max(capacity, buffer.Length * 2)];
        }

        var span = buffer.AsSpan();
        int length = ContentId.NormalizeInto(prompt, span);
        if (key != DedupKey.Prompt)
        {
            span[length++] = '\u0000';
            length += ContentId.NormalizeInto(chosen, span[length..]);
        }

        if (key == DedupKey.Pair)
        {
            span[length++] = '\u0000';
            length += ContentId.NormalizeInto(rejected, span[length..]);
        }

        var hash = XxHash128.HashToUInt128(MemoryMarshal.AsBytes(span[..length]));
        return new KeyRecord((ulong)(hash >> 64), (ulong)hash, 0);
    }
}
