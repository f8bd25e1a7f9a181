using System.Runtime.CompilerServices;
using AlignmentPipeline.Core.Storage;
using Parquet;

namespace AlignmentPipeline.Data.Tables;

/// <summary>
/// Streams the rows of Parquet files in storage in file order. Each column chunk is read whole into a typed array and
/// rows index into those arrays; the next row group is decoded on another core while the caller works through the
/// current one (see <see cref="RowGroupReadAhead"/>: one group ahead), and a caller that needs only
/// some columns names them, so the others are never decoded.
/// </summary>
public static class ParquetTableReader
{
    /// <summary>Every column of every row of the file at <paramref name="path"/>.</summary>
    public static IAsyncEnumerable<TableRow> ReadAsync(IStorage storage, string path, CancellationToken cancellationToken = default) =>
        ReadAsync(storage, path, columns: null, cancellationToken);

    /// <summary>
    /// The rows of the file at <paramref name="path"/> with only the columns named by <paramref name="columns"/> (null:
    /// all). <see cref="TableRow.Has"/> is false for the others and for named columns the file lacks (older files may
    /// lack optional ones); reading such a column throws, naming the columns the row has.
    /// </summary>
    public static async IAsyncEnumerable<TableRow> ReadAsync(
        IStorage storage, string path, IReadOnlyCollection<string>? columns, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var groups = await RowGroupReadAhead.OpenAsync(storage, path, columns, cancellationToken);
        while (await groups.NextAsync(cancellationToken) is { } group)
        {
            for (int i = 0; i < group.Rows; i++)
            {
                yield return new TableRow(group.Columns, i);
            }
        }
    }

    /// <summary>Rows of several files in order (for example all parts of a stage output).</summary>
    public static IAsyncEnumerable<TableRow> ReadAllAsync(IStorage storage, IEnumerable<string> paths, CancellationToken cancellationToken = default) =>
        ReadAllAsync(storage, paths, columns: null, cancellationToken);

    /// <summary>Rows of several files in order with only the columns named by <paramref name="columns"/> (null: all).</summary>
    public static async IAsyncEnumerable<TableRow> ReadAllAsync(
        IStorage storage, IEnumerable<string> paths, IReadOnlyCollection<string>? columns, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (string path in paths)
        {
            await foreach (var row in ReadAsync(storage, path, columns, cancellationToken))
            {
                yield return row;
            }
        }
    }

    /// <summary>Total rows of a file, from its footer.</summary>
    public static async Task<long> CountAsync(IStorage storage, string path, CancellationToken cancellationToken = default)
    {
        await using var stream = await storage.OpenReadAsync(path, cancellationToken);
        await using var reader = await ParquetReader.CreateAsync(stream, TableFiles.Options, cancellationToken: cancellationToken);
        long total = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            total += group.RowCount;
        }

        return total;
    }
}
