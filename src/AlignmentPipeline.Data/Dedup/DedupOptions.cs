using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using AlignmentPipeline.Core.Configuration;

namespace AlignmentPipeline.Data.Dedup;

/// <summary>Options of <c>kind: dedup</c>.</summary>
public sealed record DedupOptions : IValidatableOptions
{
    [Description("Exact-duplicate key over normalized text (NFC, white space collapsed): pair, prompt_chosen or prompt. Default: pair.")]
    public DedupKey Key { get; init; } = DedupKey.Pair;

    [Description("Keep at most this many pairs per normalized prompt (the first in input order); applied after exact dedup. Default: no limit.")]
    [Range(1, int.MaxValue)]
    public int? MaxPerPrompt { get; init; }

    [Description("Removed in dedup version 3: near dedup runs as sharded stages, kind: minhash (these same keys) → kind: near-clusters → " +
                 "kind: near-dedup. Setting it is an error that says so.")]
    public Dictionary<string, string>? Near { get; init; }

    [Description("Hash partitions of the spill files; each partition is loaded alone, so memory is about rows × 20 B / partitions. Default: 64.")]
    [Range(1, 4096)]
    public int Partitions { get; init; } = 64;

    [Description("Parquet parts the kept pairs are written to: input order, cut into parts of equal row counts (some may be empty), " +
                 "so each sharded stage that reads them (minhash, near-dedup, filter, split) runs this many tasks. Each such task holds its " +
                 "own read-ahead and write buffers (about 0.3 GB at 50,000-row groups of ~1.2k-character pairs), so raise it for many cores " +
                 "or workers, not on 2 cores, where one task already keeps both busy. Default: 1.")]
    [Range(1, 4096)]
    public int OutputParts { get; init; } = 1;

    [Description("Rows per Parquet row group. Default: 50000.")]
    [Range(1, 10_000_000)]
    public int RowGroupRows { get; init; } = 50_000;

    public IEnumerable<OptionProblem> Validate()
    {
        if (Near is not null)
        {
            yield return new OptionProblem("near",
                "near dedup is no longer part of kind: dedup; it runs as three sharded stages: " +
                "'signatures: {kind: minhash, input: <this stage>, <the near: keys>}', 'clusters: {kind: near-clusters, input: signatures}' and " +
                "'near: {kind: near-dedup, input: [<this stage>, clusters]}'");
        }
    }
}
