using System.Runtime.InteropServices;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>
/// The Parquet layout of a reference cache: the pair columns of <see cref="PreferenceTable"/>, then <c>split</c>,
/// <c>ref_chosen_logp</c>, <c>ref_rejected_logp</c> (double), <c>chosen_tokens</c>, <c>rejected_tokens</c> (int) and,
/// with <c>per_token</c>, <c>ref_chosen_token_logps</c> / <c>ref_rejected_token_logps</c>: float32 little-endian bytes,
/// base64-encoded in a string column (the shared Parquet table reader does not read binary columns back yet), and,
/// with <c>kto_mismatched</c>, the <see cref="MismatchedLogProbs"/> columns.
/// </summary>
public static class ReferenceCacheTable
{
    /// <summary>The schema; <paramref name="perToken"/> adds the two byte columns, <paramref name="ktoMismatched"/> the five KL columns.</summary>
    public static TableSchema<CachedPair> Schema(bool perToken, bool ktoMismatched = false)
    {
        var schema = new TableSchema<CachedPair>()
            .String("id", c => c.Pair.Id)
            .String("prompt", c => c.Pair.Prompt)
            .String("chosen", c => c.Pair.Chosen)
            .String("rejected", c => c.Pair.Rejected)
            .String("source", c => c.Pair.Source)
            .String("metadata", c => c.Pair.Metadata)
            .String("format", c => c.Pair.Format)
            .String("split", c => c.Split)
            .Double("ref_chosen_logp", c => c.RefChosenLogp)
            .Double("ref_rejected_logp", c => c.RefRejectedLogp)
            .Int("chosen_tokens", c => c.ChosenTokens)
            .Int("rejected_tokens", c => c.RejectedTokens);
        if (ktoMismatched)
        {
            schema.String(MismatchedLogProbs.DonorIdColumn, c => c.Mismatched!.DonorId)
                .Double(MismatchedLogProbs.ChosenColumn, c => c.Mismatched!.ChosenLogp)
                .Double(MismatchedLogProbs.RejectedColumn, c => c.Mismatched!.RejectedLogp)
                .Int(MismatchedLogProbs.ChosenTokensColumn, c => c.Mismatched!.ChosenTokens)
                .Int(MismatchedLogProbs.RejectedTokensColumn, c => c.Mismatched!.RejectedTokens);
        }

        return perToken
            ? schema.String("ref_chosen_token_logps", c => Encode(c.ChosenTokenLogps))
                .String("ref_rejected_token_logps", c => Encode(c.RejectedTokenLogps))
            : schema;
    }

    /// <summary>Reads one row back.</summary>
    public static CachedPair FromRow(TableRow row) => new(
        PreferenceTable.FromRow(row),
        row.String("split") ?? "",
        row.Double("ref_chosen_logp"),
        row.Double("ref_rejected_logp"),
        row.Int("chosen_tokens"),
        row.Int("rejected_tokens"),
        row.Has("ref_chosen_token_logps") ? Decode(row.String("ref_chosen_token_logps")) : null,
        row.Has("ref_rejected_token_logps") ? Decode(row.String("ref_rejected_token_logps")) : null,
        row.Has(MismatchedLogProbs.DonorIdColumn)
            ? new MismatchedLogProbs(row.String(MismatchedLogProbs.DonorIdColumn) ?? "", row.Double(MismatchedLogProbs.ChosenColumn),
                row.Double(MismatchedLogProbs.RejectedColumn), row.Int(MismatchedLogProbs.ChosenTokensColumn), row.Int(MismatchedLogProbs.RejectedTokensColumn))
            : null);

    private static string? Encode(float[]? values) =>
        values is null ? null : BitConverter.IsLittleEndian
            ? Convert.ToBase64String(MemoryMarshal.AsBytes(values.AsSpan()))
            : throw new PlatformNotSupportedException("per-token log-probs are stored little-endian; big-endian hosts are not supported");

    private static float[]? Decode(string? base64) =>
        base64 is null ? null : MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(base64)).ToArray();
}
