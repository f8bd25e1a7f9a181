using System.Globalization;
using System.Text.Json.Nodes;

namespace AlignmentPipeline.Data.Dedup;

/// <summary>
/// The files task i of <c>kind: minhash</c> writes, relative to its output folder, and the metadata keys its manifest
/// carries for <c>kind: near-clusters</c>. Names avoid <c>part-</c> so no stage mistakes them for pair data.
/// </summary>
internal static class MinHashFiles
{
    /// <summary>Manifest metadata: rows per task, in task order (JSON array of numbers).</summary>
    public const string ShardRows = "shard_rows";

    /// <summary>Manifest metadata: the pairs stage read (<c>{stage, fingerprint}</c>).</summary>
    public const string Pairs = "pairs";

    /// <summary>Manifest metadata: the canonical minhash options.</summary>
    public const string Options = "minhash";

    /// <summary>Rows per task from a manifest's metadata (held as numbers in memory or parsed from JSON after a resume).</summary>
    public static int[] ReadShardRows(JsonObject metadata) =>
        metadata[ShardRows]!.AsArray().Select(n => int.Parse(n!.ToJsonString(), CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Band records (<see cref="BandRecord"/>, ordinals local to the task) of one hash partition.</summary>
    public static string Buckets(int partition, int task) => $"buckets/{partition:D4}/shard-{task:D5}.bin";

    /// <summary>Row ids in row order, each a length-prefixed UTF-8 string (<see cref="BinaryWriter.Write(string)"/>).</summary>
    public static string Ids(int task) => $"ids/shard-{task:D5}.bin";

    /// <summary>Sorted distinct shingles per row (with the Jaccard check): data and offsets, as <see cref="ScratchRecords"/> lays them out.</summary>
    public static (string Data, string Offsets) Shingles(int task) => ($"shingles/shard-{task:D5}.bin", $"shingles/shard-{task:D5}-offsets.bin");
}
