using System.Text.Json.Nodes;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data.Cards;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Data.Splits;

/// <summary>
/// <c>kind: split</c>: divides pairs into named splits by a hash of the prompt (default) or id. Output: one folder per
/// split, <c>&lt;split&gt;/part-{i:D5}.parquet</c>, one part per input part (task). Downstream stages select a split by
/// its folder (e.g. <c>train/</c>, <c>eval/</c>).
/// </summary>
public sealed class SplitStage(SplitOptions options) : IStage
{
    public static StageKind Kind { get; } = StageKind.Define<SplitOptions>(
        "split", 2, "Splits pairs deterministically by a hash of the prompt (or id) into train/, eval/ … folders.", InputArity.One,
        o => new SplitStage(o));

    private readonly SplitAssigner assigner = new(options.Fractions, options.By, options.Seed);

    public int TaskCount(IReadOnlyList<StageOutput> inputs) => Math.Max(1, PairParts.Of(inputs[0], "split").Count);

    public async Task<TaskResult> RunTaskAsync(TaskContext context, CancellationToken cancellationToken = default)
    {
        var input = context.Stage.Inputs[0];
        var storage = context.Stage.Storage;
        var writers = new Dictionary<string, ParquetTableWriter<PreferencePair>>(StringComparer.Ordinal);
        try
        {
            foreach (string split in options.Fractions.Keys.Order(StringComparer.Ordinal))
            {
                writers[split] = await ParquetTableWriter<PreferencePair>.CreateAsync(
                    storage, context.Stage.OutputPath($"{split}/part-{context.TaskIndex:D5}.parquet"), PreferenceTable.Schema, cancellationToken: cancellationToken);
            }

            long rows = 0;
            var lengths = new PairLengths();
            if (context.TaskIndex < input.Parts.Count)
            {
                await foreach (var row in ParquetTableReader.ReadAsync(storage, input.Parts[context.TaskIndex], cancellationToken))
                {
                    var pair = PreferenceTable.FromRow(row);
                    lengths.Add(pair);
                    await writers[assigner.Assign(pair)].WriteAsync(pair, cancellationToken);
                    rows++;
                }
            }

            var extra = new JsonObject { [PairLengths.ResultKey] = lengths.ToJson() };
            foreach (var (split, writer) in writers)
            {
                await writer.CompleteAsync(cancellationToken);
                extra[split] = writer.RowsWritten;
            }

            return new TaskResult(new StageCounters(rows, rows, new Dictionary<string, long>()), extra);
        }
        finally
        {
            foreach (var writer in writers.Values)
            {
                await writer.DisposeAsync();
            }
        }
    }

    public async Task<StageSummary> FinalizeAsync(StageContext context, IReadOnlyList<TaskResult> tasks, CancellationToken cancellationToken = default)
    {
        var sizes = options.Fractions.Keys.ToDictionary(split => split, split => tasks.Sum(t => t.Extra?[split]?.GetValue<long>() ?? 0), StringComparer.Ordinal);
        var rows = new JsonObject(sizes.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value)));
        var counters = StageCounters.Sum(tasks.Select(t => t.Counters));
        await CardSections.Split(new DataCard(context, Kind, counters, PairLengths.Merge(tasks.Select(t => t.Extra))), context, options, sizes).WriteAsync(cancellationToken);
        return new StageSummary(counters, new() { ["splits"] = rows });
    }
}
