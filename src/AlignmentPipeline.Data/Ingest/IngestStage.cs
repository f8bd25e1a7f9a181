using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Hashing;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data.Cards;
using AlignmentPipeline.Data.Ingest.Containers;
using AlignmentPipeline.Data.Ingest.Formats;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Data.Ingest;

/// <summary>
/// <c>kind: ingest</c>: reads preference data (JSONL, JSON arrays, Parquet, CSV/TSV, gzipped or not; canonical,
/// conversational, HH transcripts, pairwise-judged or scored rows) into Parquet pairs, one task and one part per
/// file, streaming. Rows that cannot be used go to <c>quarantine/</c> with the reason and their file:line (or
/// file:row); stats.json counts them by reason, counts blank lines and names the format used for each file.
/// <c>card.md</c> (see <see cref="DataCard"/>) lists each file with its SHA-256 (or its stage and fingerprint).
/// </summary>
public sealed class IngestStage(IngestOptions options) : IStage
{
    public static StageKind Kind { get; } = StageKind.Define<IngestOptions>(
        "ingest", 3, "Reads preference pairs from JSONL/JSON/Parquet/CSV files in several formats into Parquet; bad rows go to quarantine.",
        InputArity.Optional, o => new IngestStage(o));

    private static readonly string[] DataExtensions = [".jsonl", ".ndjson", ".json", ".parquet", ".csv", ".tsv"];

    private readonly IReadOnlyList<string> localFiles = options.Inputs.SelectMany(i => PathResolver.Resolve(i, allowGlob: true)).Distinct().ToList();
    private IReadOnlyList<(StageOutput Stage, string File)> stageFiles = [];

    private int FileCount => localFiles.Count + stageFiles.Count;

    /// <summary>One task per file: the local files of <c>inputs</c>, then the data files of the stages named by <c>input</c>.</summary>
    public int TaskCount(IReadOnlyList<StageOutput> inputs)
    {
        stageFiles = inputs.SelectMany(stage => stage.Files.Where(IsDataFile).Select(file => (stage, file))).ToList();
        if (FileCount == 0)
        {
            throw new Core.UserErrorException("ingest has nothing to read: 'inputs' matched no files and 'input' names no stage with data files");
        }

        return FileCount;
    }

    public async Task<TaskResult> RunTaskAsync(TaskContext context, CancellationToken cancellationToken = default)
    {
        var (file, display) = await SourceAsync(context, cancellationToken);
        var fields = new FieldNames(options.Fields);
        var storage = context.Stage.Storage;
        long rowsIn = 0, blank = 0;
        var dropped = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var lengths = new PairLengths();
        IRowFormat? format = options.Format == IngestFormat.Auto ? null : Create(options.Format, fields);

        await using var pairs = await ParquetTableWriter<PreferencePair>.CreateAsync(storage, context.PartPath, PreferenceTable.Schema, options.RowGroupRows, cancellationToken);
        await using var quarantine = await ParquetTableWriter<QuarantinedRow>.CreateAsync(storage, context.QuarantinePath, QuarantinedRow.Schema, options.RowGroupRows, cancellationToken);
        using var progress = context.Stage.Progress.Start($"{context.Stage.StageName} {display}", "rows");

        async ValueTask Quarantine(QuarantinedRow row)
        {
            dropped[row.Reason] = dropped.GetValueOrDefault(row.Reason) + 1;
            await quarantine.WriteAsync(row, cancellationToken);
        }

        var container = InputFile.Detect(file);
        await foreach (var row in Rows(container, file, display, cancellationToken))
        {
            if (row.IsBlank)
            {
                blank++;
                continue;
            }

            rowsIn++;
            progress.Advance();
            if (row.ProblemReason is { } reason)
            {
                await Quarantine(new QuarantinedRow(row.Location, reason, row.ProblemDetail ?? "", row.Raw));
                continue;
            }

            if (row.Value is not JsonObject value)
            {
                await Quarantine(new QuarantinedRow(row.Location, "not_an_object", $"expected a JSON object, found {PairChecks.Kind(row.Value)}", row.Raw));
                continue;
            }

            if (format is null && FormatDetector.Detect(value, fields) is { } detected)
            {
                format = Create(detected, fields);
                context.Stage.Log.Info($"{context.Stage.StageName}: {display} looks like format '{Name(detected)}'");
            }

            if (format is null)
            {
                await Quarantine(new QuarantinedRow(row.Location, "unknown_format",
                    $"cannot recognise the format from fields {string.Join(", ", value.Select(p => p.Key))}; set 'format' and 'fields'", row.Raw));
                continue;
            }

            var outcome = format.Parse(value, row.Location, row.Raw ?? value.ToJsonString());
            if (outcome.Quarantined is { } rejected)
            {
                await Quarantine(rejected);
            }

            foreach (var pair in outcome.Pairs)
            {
                lengths.Add(pair);
                await pairs.WriteAsync(pair, cancellationToken);
            }
        }

        await pairs.CompleteAsync(cancellationToken);
        await quarantine.CompleteAsync(cancellationToken);
        return new TaskResult(new StageCounters(rowsIn, pairs.RowsWritten, dropped), new()
        {
            ["blank_lines"] = blank,
            ["file"] = display,
            ["container"] = Name(container),
            ["format"] = format is null ? null : Name(format.Format),
            ["sha256"] = await FileSha256Async(file, cancellationToken),
            [PairLengths.ResultKey] = lengths.ToJson(),
        });
    }

    public async Task<StageSummary> FinalizeAsync(StageContext context, IReadOnlyList<TaskResult> tasks, CancellationToken cancellationToken = default)
    {
        var counters = StageCounters.Sum(tasks.Select(t => t.Counters));
        long blank = tasks.Sum(t => t.Extra?["blank_lines"]?.GetValue<long>() ?? 0);
        var card = new DataCard(context, Kind, counters, PairLengths.Merge(tasks.Select(t => t.Extra))).Count("blank lines skipped", blank);
        for (int i = 0; i < tasks.Count; i++)
        {
            string file = tasks[i].Extra?["file"]?.GetValue<string>() ?? "";
            card.Source($"`{file}`", i < localFiles.Count
                ? $"sha256 `{tasks[i].Extra?["sha256"]?.GetValue<string>()}`"
                : $"file of stage `{stageFiles[i - localFiles.Count].Stage.StageName}`, fingerprint `{stageFiles[i - localFiles.Count].Stage.Fingerprint}`");
        }

        await card.Section("Files", ["file", "container", "format", "rows in", "pairs out"], tasks.Select(t => new[]
            {
                $"`{t.Extra?["file"]?.GetValue<string>()}`", t.Extra?["container"]?.GetValue<string>() ?? "", t.Extra?["format"]?.GetValue<string>() ?? "(none recognised)",
                DataCard.Number(t.Counters.RowsIn), DataCard.Number(t.Counters.RowsOut),
            }), "A row may give several pairs (scored format) or none (quarantined).")
            .WriteAsync(cancellationToken);
        return new StageSummary(
            counters,
            new()
            {
                ["blank_lines"] = blank,
                ["files"] = FileCount,
                ["sources"] = new JsonArray(tasks.Select(t => (JsonNode)new JsonObject
                {
                    ["file"] = t.Extra?["file"]?.DeepClone(),
                    ["container"] = t.Extra?["container"]?.DeepClone(),
                    ["format"] = t.Extra?["format"]?.DeepClone(),
                    ["rows_in"] = t.Counters.RowsIn,
                    ["rows_out"] = t.Counters.RowsOut,
                }).ToArray()),
            });
    }

    /// <summary>A local path to read and the name rows cite as their source (stable across machines).</summary>
    private async Task<(string File, string Display)> SourceAsync(TaskContext context, CancellationToken cancellationToken)
    {
        if (context.TaskIndex < localFiles.Count)
        {
            string local = localFiles[context.TaskIndex];
            return (local, Path.GetRelativePath(Environment.CurrentDirectory, local));
        }

        var (stage, file) = stageFiles[context.TaskIndex - localFiles.Count];
        return (await context.Stage.Storage.MaterializeAsync(stage.Path(file), cancellationToken), $"{stage.StageName}/{file}");
    }

    /// <summary>The SHA-256 of a file as read (for the data card's sources).</summary>
    private static async Task<string> FileSha256Async(string file, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return await Hex.Sha256Async(stream, cancellationToken);
    }

    private static bool IsDataFile(string file)
    {
        string name = file.EndsWith(".gz", StringComparison.Ordinal) ? file[..^3] : file;
        return !file.StartsWith("quarantine/", StringComparison.Ordinal) && !file.StartsWith("_", StringComparison.Ordinal)
               && name is not ("stats.json" or "manifest.json")
               && DataExtensions.Any(e => name.EndsWith(e, StringComparison.Ordinal));
    }

    private IRowFormat Create(IngestFormat format, FieldNames fields) => format switch
    {
        IngestFormat.Canonical => new CanonicalFormat(fields),
        IngestFormat.Conversational => new ConversationalFormat(fields),
        IngestFormat.HhTranscript => new HhTranscriptFormat(fields),
        IngestFormat.PairwiseJudged => new PairwiseJudgedFormat(fields),
        IngestFormat.Scored => new ScoredFormat(fields, options.Pairing, options.Margin, options.Seed),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "auto is resolved per file before parsing"),
    };

    private static IAsyncEnumerable<SourceRow> Rows(ContainerKind container, string file, string display, CancellationToken cancellationToken) => container switch
    {
        ContainerKind.Jsonl => JsonlRows.ReadAsync(file, display, cancellationToken),
        ContainerKind.JsonArray => JsonArrayRows.ReadAsync(file, display, cancellationToken),
        ContainerKind.Parquet => ParquetRows.ReadAsync(file, display, cancellationToken),
        ContainerKind.Csv => DelimitedRows.Read(file, display, ',', cancellationToken).ToAsyncEnumerable(),
        _ => DelimitedRows.Read(file, display, '\t', cancellationToken).ToAsyncEnumerable(),
    };

    private static string Name(Enum value) => OptionProperty.SnakeCase(value.ToString());
}
