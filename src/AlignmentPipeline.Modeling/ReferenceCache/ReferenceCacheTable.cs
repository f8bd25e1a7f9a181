using System.Buffers.Binary;
using AlignmentPipeline.Core;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>
/// The Parquet layout of a reference cache: the pair columns of <see cref="PreferenceTable"/>, then <c>split</c>,
/// <c>ref_chosen_logp</c>, <c>ref_rejected_logp</c> (double), <c>chosen_tokens</c>, <c>rejected_tokens</c> (int) and,
/// with <c>per_token</c>, <c>ref_chosen_token_logps</c> / <c>ref_rejected_token_logps</c>: binary columns of float32
/// little-endian values, one per completion token, and,
/// with <c>kto_mismatched</c>, the <see cref="MismatchedLogProbs"/> columns.
/// </summary>
public static class ReferenceCacheTable
{
    private const string ChosenTokenLogpsColumn = "ref_chosen_token_logps";
    private const string RejectedTokenLogpsColumn = "ref_rejected_token_logps";

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
            ? schema.Bytes(ChosenTokenLogpsColumn, c => Encode(c.ChosenTokenLogps))
                .Bytes(RejectedTokenLogpsColumn, c => Encode(c.RejectedTokenLogps))
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
        Decode(row, ChosenTokenLogpsColumn),
        Decode(row, RejectedTokenLogpsColumn),
        row.Has(MismatchedLogProbs.DonorIdColumn)
            ? new MismatchedLogProbs(row.String(MismatchedLogProbs.DonorIdColumn) ?? "", row.Double(MismatchedLogProbs.ChosenColumn),
                row.Double(MismatchedLogProbs.RejectedColumn), row.Int(MismatchedLogProbs.ChosenTokensColumn), row.Int(MismatchedLogProbs.RejectedTokensColumn))
            : null);

    private static byte[]? Encode(float[]? values)
    {
        if (values is null)
        {
            return null;
        }

        var bytes = new byte[4 * values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        }

        return bytes;
    }

    /// <summary>A per-token column's values, or null when the column is absent (<c>per_token: false</c>) or the value is null.</summary>
    /// <exception cref="UserErrorException">The column holds the base64 text that ref-logprobs version 1 wrote, or a partial float.</exception>
    private static float[]? Decode(TableRow row, string column)
    {
        if (!row.Has(column))
        {
            return null;
        }

        byte[]? bytes;
        try
        {
            bytes = row.Bytes(column);
        }
        catch (InvalidDataException)
        {
            throw new UserErrorException(
                $"the cache's '{column}' column holds text (base64, as ref-logprobs version 1 wrote it); this version reads float32 " +
                "bytes only: rerun the ref-logprobs stage ('align run' recomputes it, its fingerprint changed)");
        }

        if (bytes is null)
        {
            return null;
        }

        if (bytes.Length % 4 != 0)
        {
            throw new UserErrorException($"the cache's '{column}' value has {bytes.Length} bytes, not whole float32 values; rerun the ref-logprobs stage");
        }

        var values = new float[bytes.Length / 4];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(4 * i));
        }

        return values;
    }
}
