using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Data.Ingest;

/// <summary>
/// <c>kind: ingest</c>: reads JSONL (optionally gzipped) files into Parquet pairs, one task and one part per file,
/// streaming. Rows that cannot be used go to <c>quarantine/</c> with the reason and their file:line.
/// </summary>
public sealed class IngestStage(IngestOptions options) : IStage
{
    public static StageKind Kind { get; } = StageKind.Define<IngestOptions>(
        "ingest", 1, "Reads preference pairs from JSONL(.gz) files into Parquet; bad rows go to quarantine.", InputArity.None,
        o => new IngestStage(o));

    private readonly IReadOnlyList<string> files = options.Inputs.SelectMany(i => PathResolver.Resolve(i, allowGlob: true)).Distinct().ToList();

    public int TaskCount(IReadOnlyList<StageOutput> inputs) => files.Count;

    public async Task<TaskResult> RunTaskAsync(TaskContext context, CancellationToken cancellationToken = default)
    {
        string file = files[context.TaskIndex];
        string display = Path.GetRelativePath(Environment.CurrentDirectory, file);
        var parser = new CanonicalRowParser(options.Fields);
        var storage = context.Stage.Storage;
        long rowsIn = 0, blank = 0;
        var dropped = new SortedDictionary<string, long>(StringComparer.Ordinal);

        await using var pairs = await ParquetTableWriter<PreferencePair>.CreateAsync(storage, context.PartPath, PreferenceTable.Schema, options.RowGroupRows, cancellationToken);
        await using var quarantine = await ParquetTableWriter<QuarantinedRow>.CreateAsync(storage, context.QuarantinePath, QuarantinedRow.Schema, options.RowGroupRows, cancellationToken);
        using var progress = context.Stage.Progress.Start($"{context.Stage.StageName} {display}", "rows");

        async ValueTask Quarantine(QuarantinedRow row)
        {
            dropped[row.Reason] = dropped.GetValueOrDefault(row.Reason) + 1;
            await quarantine.WriteAsync(row, cancellationToken);
        }

        await using (var reader = LineReader.Open(file))
        {
            while (true)
            {
                ReadOnlyMemory<byte>? maybeLine;
                try
                {
                    maybeLine = await reader.ReadLineAsync(cancellationToken);
                }
                catch (InvalidDataException e)
                {
                    rowsIn++;
                    await Quarantine(new QuarantinedRow($"{display}:{reader.LineNumber + 1}", "truncated_input",
                        $"the compressed file ends early or is damaged after line {reader.LineNumber}: {e.Message}", null));
                    break;
                }

                if (maybeLine is not { } line)
                {
                    break;
                }

                if (IsBlank(line.Span))
                {
                    blank++;
                    continue;
                }

                rowsIn++;
                progress.Advance();
                string source = $"{display}:{reader.LineNumber}";
                var outcome = Parse(parser, line, source);
                if (outcome.Quarantined is { } rejected)
                {
                    await Quarantine(rejected);
                }

                foreach (var pair in outcome.Pairs)
                {
                    await pairs.WriteAsync(pair, cancellationToken);
                }
            }
        }

        await pairs.CompleteAsync(cancellationToken);
        await quarantine.CompleteAsync(cancellationToken);
        return new TaskResult(new StageCounters(rowsIn, pairs.RowsWritten, dropped), new() { ["blank_lines"] = blank });
    }

    public Task<StageSummary> FinalizeAsync(StageContext context, IReadOnlyList<TaskResult> tasks, CancellationToken cancellationToken = default) =>
        Task.FromResult(new StageSummary(
            StageCounters.Sum(tasks.Select(t => t.Counters)),
            new() { ["blank_lines"] = tasks.Sum(t => t.Extra?["blank_lines"]?.GetValue<long>() ?? 0), ["files"] = files.Count }));

    private static RowOutcome Parse(CanonicalRowParser parser, ReadOnlyMemory<byte> line, string source)
    {
        if (!Utf8.IsValid(line.Span))
        {
            string lossy = Encoding.UTF8.GetString(line.Span);
            return RowOutcome.Reject(source, "invalid_utf8", "the line is not valid UTF-8", lossy);
        }

        string raw = Encoding.UTF8.GetString(line.Span);
        try
        {
            using var document = JsonDocument.Parse(line);
            return parser.Parse(document.RootElement, source, raw);
        }
        catch (JsonException e)
        {
            string where = e.BytePositionInLine is { } column ? $" at column {column + 1}" : "";
            return RowOutcome.Reject(source, "invalid_json", $"invalid JSON{where}: {FirstSentence(e.Message)}", raw);
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (byte b in line)
        {
            if (b is not ((byte)' ' or (byte)'\t'))
            {
                return false;
            }
        }

        return true;
    }

    private static string FirstSentence(string message)
    {
        int cut = message.IndexOf(". ", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
