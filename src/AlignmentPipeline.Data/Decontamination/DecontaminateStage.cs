using System.Globalization;
using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Hashing;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data.Cards;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Data.Decontamination;

/// <summary>
/// <c>kind: decontaminate</c>: drops pairs whose prompt shares word n-grams with an evaluation item above the
/// threshold (reason <c>eval_overlap</c>); the detail names the matched item (<c>stage:id</c> or <c>file:line</c>)
/// and the overlap. An eval stage split into folders contributes its <c>eval_split</c> split (<c>stage/split:id</c>).
/// One task per input part; stats.json counts eval items and the distinct items matched.
/// </summary>
public sealed class DecontaminateStage(DecontaminateOptions options) : IStage
{
    public static StageKind Kind { get; } = StageKind.Define<DecontaminateOptions>(
        "decontaminate", 3, "Drops pairs whose prompt shares word n-grams with evaluation items; the matched item is recorded in quarantine.",
        InputArity.One, o => new DecontaminateStage(o));

    public int TaskCount(IReadOnlyList<StageOutput> inputs) => Math.Max(1, PairParts.Of(inputs[0], "decontaminate").Count);

    public async Task<TaskResult> RunTaskAsync(TaskContext context, CancellationToken cancellationToken = default)
    {
        var index = await EvalIndex.BuildAsync(options, context.Stage, cancellationToken);
        var storage = context.Stage.Storage;
        var parts = context.Stage.Inputs[0].Parts;
        var matched = new SortedSet<string>(StringComparer.Ordinal);
        long rowsIn = 0, dropped = 0;
        var lengths = new PairLengths();
        await using var pairs = await ParquetTableWriter<PreferencePair>.CreateAsync(storage, context.PartPath, PreferenceTable.Schema, options.RowGroupRows, cancellationToken);
        await using var quarantine = await ParquetTableWriter<QuarantinedRow>.CreateAsync(storage, context.QuarantinePath, QuarantinedRow.Schema, options.RowGroupRows, cancellationToken);
        if (context.TaskIndex < parts.Count)
        {
            await foreach (var row in ParquetTableReader.ReadAsync(storage, parts[context.TaskIndex], cancellationToken))
            {
                rowsIn++;
                var pair = PreferenceTable.FromRow(row);
                var (label, shared, total) = index.BestMatch(PairText.Of(pair, pair.Prompt));
                double overlap = total == 0 ? 0 : (double)shared / total;
                if (label is not null && overlap > options.Threshold)
                {
                    dropped++;
                    matched.Add(label);
                    string detail = string.Create(CultureInfo.InvariantCulture,
                        $"prompt shares {shared} of its {total} {options.Ngram}-grams ({overlap:P0}) with eval item {label}");
                    await quarantine.WriteAsync(new QuarantinedRow(pair.Id, "eval_overlap", detail, PairText.Json(pair)), cancellationToken);
                }
                else
                {
                    lengths.Add(pair);
                    await pairs.WriteAsync(pair, cancellationToken);
                }
            }
        }

        await pairs.CompleteAsync(cancellationToken);
        await quarantine.CompleteAsync(cancellationToken);
        var counters = new StageCounters(rowsIn, pairs.RowsWritten, dropped == 0 ? new Dictionary<string, long>() : new Dictionary<string, long> { ["eval_overlap"] = dropped });
        return new TaskResult(counters, new JsonObject
        {
            ["eval_items"] = index.Items,
            ["matched_eval_items"] = new JsonArray(matched.Select(m => (JsonNode)m).ToArray()),
            [PairLengths.ResultKey] = lengths.ToJson(),
        });
    }

    public async Task<StageSummary> FinalizeAsync(StageContext context, IReadOnlyList<TaskResult> tasks, CancellationToken cancellationToken = default)
    {
        var matched = tasks.SelectMany(t => t.Extra?["matched_eval_items"]?.AsArray().Select(m => m!.GetValue<string>()) ?? []).ToHashSet(StringComparer.Ordinal);
        int evalItems = tasks.Count == 0 ? 0 : tasks[0].Extra?["eval_items"]?.GetValue<int>() ?? 0;
        var counters = StageCounters.Sum(tasks.Select(t => t.Counters));
        var card = new DataCard(context, Kind, counters, PairLengths.Merge(tasks.Select(t => t.Extra)));
        await CardSections.Decontaminate(card, context, await EvalSourcesAsync(context, cancellationToken), evalItems, matched.Count, options.Ngram, options.Threshold)
            .WriteAsync(cancellationToken);
        return new StageSummary(counters, new JsonObject
        {
            ["eval_items"] = evalItems,
            ["matched_eval_items"] = matched.Count,
        });
    }

    /// <summary>Each eval set for the data card: a stage with its fingerprint, or each file it names with its SHA-256.</summary>
    private async Task<List<(string Source, string Identity)>> EvalSourcesAsync(StageContext context, CancellationToken cancellationToken)
    {
        var sources = new List<(string, string)>();
        foreach (string eval in options.Eval)
        {
            if (context.IsStage(eval))
            {
                var output = context.Upstream(eval);
                sources.Add((output.IsSplit ? $"stage `{eval}` split `{options.EvalSplit}`" : $"stage `{eval}`", $"fingerprint `{output.Fingerprint}`"));
                continue;
            }

            foreach (string file in PathResolver.Resolve(eval, allowGlob: true))
            {
                await using var stream = File.OpenRead(file);
                sources.Add(($"`{Path.GetRelativePath(Environment.CurrentDirectory, file)}`", $"sha256 `{await Hex.Sha256Async(stream, cancellationToken)}`"));
            }
        }

        return sources;
    }
}
