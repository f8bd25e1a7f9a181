using System.Text.Json.Nodes;
using AlignmentPipeline.Core;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data.Cards;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Data.Filters;

/// <summary>
/// <c>kind: filter</c>: runs the configured checks (in the order of <see cref="FilterOptions"/>, then custom filters)
/// on every pair; the first that drops a pair decides its reason. Kept pairs keep their order; dropped pairs go to
/// quarantine with the pair's id as source. One task per input part. stats.json adds, per filter, how many pairs it
/// saw and dropped.
/// </summary>
public sealed class FilterStage : IStage
{
    private readonly FilterOptions options;
    private readonly IReadOnlyList<IPairFilter> filters;
    private readonly StageKind kind;

    private FilterStage(FilterOptions options, IReadOnlyDictionary<string, IPairFilter> custom, TokenCounterLoader? tokenizers, StageKind kind)
    {
        this.options = options;
        this.kind = kind;
        var list = new List<IPairFilter>();
        if (options.DropIdenticalResponses)
        {
            list.Add(new IdenticalResponsesFilter());
        }

        if (options.MinChars is not null || options.MaxChars is not null)
        {
            list.Add(new LengthFilter("chars", options.MinChars, options.MaxChars, tokens: false));
        }

        if (options.MinTokens is not null || options.MaxTokens is not null)
        {
            list.Add(new LengthFilter("tokens", options.MinTokens, options.MaxTokens, tokens: true, TokenCounter(options.Tokenizer, tokenizers)));
        }

        if (options.MaxLengthRatio is { } ratio)
        {
            list.Add(new LengthRatioFilter(ratio));
        }

        if (options.MaxNonPrintableRatio is { } nonPrintable)
        {
            list.Add(new NonPrintableFilter(nonPrintable));
        }

        if (options.Include.Count > 0)
        {
            list.Add(new RegexFilter(options.Include, include: true));
        }

        if (options.Exclude.Count > 0)
        {
            list.Add(new RegexFilter(options.Exclude, include: false));
        }

        foreach (string name in options.Custom)
        {
            list.Add(custom.TryGetValue(name, out var filter)
                ? filter
                : throw new UserErrorException($"filter: no custom filter named '{name}' is registered; registered: " +
                                               (custom.Count == 0 ? "none" : string.Join(", ", custom.Keys.Order(StringComparer.Ordinal)))));
        }

        filters = list;
    }

    /// <summary>The filter kind with built-in checks only.</summary>
    public static StageKind Kind { get; } = DefineKind([]);

    /// <summary>
    /// The filter kind with custom filters usable by name under <c>custom:</c> and, when <paramref name="tokenizers"/>
    /// is given, token bounds counted with the tokenizer named by the <c>tokenizer</c> option. Register it instead of
    /// <see cref="Kind"/>. Bump a filter's name when its logic changes: the fingerprint sees only names.
    /// </summary>
    public static StageKind DefineKind(IEnumerable<IPairFilter> custom, TokenCounterLoader? tokenizers = null)
    {
        var byName = custom.ToDictionary(f => f.Name, StringComparer.Ordinal);
        StageKind? kind = null;
        kind = StageKind.Define<FilterOptions>(
            "filter", 2, "Drops pairs by length, token count, length ratio, regexes, identical or non-printable text and custom filters; drops go to quarantine.",
            InputArity.One, o => new FilterStage(o, byName, tokenizers, kind!));
        return kind;
    }

    private static Func<string, int>? TokenCounter(string? tokenizer, TokenCounterLoader? tokenizers)
    {
        if (tokenizer is null)
        {
            return null;
        }

        return tokenizers is null
            ? throw new UserErrorException($"filter: 'tokenizer: {tokenizer}' needs a tokenizer loader, and this program registered the filter kind without one; " +
                                           "register FilterStage.DefineKind(custom, tokenizers) (the align command does), or remove 'tokenizer' to count white-space words")
            : tokenizers(Path.GetFullPath(tokenizer));
    }

    public int TaskCount(IReadOnlyList<StageOutput> inputs) => Math.Max(1, PairParts.Of(inputs[0], "filter").Count);

    public async Task<TaskResult> RunTaskAsync(TaskContext context, CancellationToken cancellationToken = default)
    {
        var storage = context.Stage.Storage;
        var parts = context.Stage.Inputs[0].Parts;
        var seen = new long[filters.Count];
        var droppedBy = new long[filters.Count];
        var dropped = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long rowsIn = 0;
        var lengths = new PairLengths();
        await using var pairs = await ParquetTableWriter<PreferencePair>.CreateAsync(storage, context.PartPath, PreferenceTable.Schema, options.RowGroupRows, cancellationToken);
        await using var quarantine = await ParquetTableWriter<QuarantinedRow>.CreateAsync(storage, context.QuarantinePath, QuarantinedRow.Schema, options.RowGroupRows, cancellationToken);
        if (context.TaskIndex < parts.Count)
        {
            await foreach (var row in ParquetTableReader.ReadAsync(storage, parts[context.TaskIndex], cancellationToken))
            {
                rowsIn++;
                var pair = PreferenceTable.FromRow(row);
                var decision = FilterDecision.Keep;
                for (int f = 0; f < filters.Count && decision.Kept; f++)
                {
                    seen[f]++;
                    decision = filters[f].Decide(pair);
                    droppedBy[f] += decision.Kept ? 0 : 1;
                }

                if (decision.Kept)
                {
                    lengths.Add(pair);
                    await pairs.WriteAsync(pair, cancellationToken);
                }
                else
                {
                    dropped[decision.Reason!] = dropped.GetValueOrDefault(decision.Reason!) + 1;
                    await quarantine.WriteAsync(new QuarantinedRow(pair.Id, decision.Reason!, decision.Detail ?? decision.Reason!, PairText.Json(pair)), cancellationToken);
                }
            }
        }

        await pairs.CompleteAsync(cancellationToken);
        await quarantine.CompleteAsync(cancellationToken);
        var perFilter = new JsonObject();
        for (int f = 0; f < filters.Count; f++)
        {
            perFilter[filters[f].Name] = new JsonObject { ["seen"] = seen[f], ["dropped"] = droppedBy[f] };
        }

        return new TaskResult(new StageCounters(rowsIn, pairs.RowsWritten, dropped), new JsonObject { ["filters"] = perFilter, [PairLengths.ResultKey] = lengths.ToJson() });
    }

    public async Task<StageSummary> FinalizeAsync(StageContext context, IReadOnlyList<TaskResult> tasks, CancellationToken cancellationToken = default)
    {
        var merged = new JsonObject();
        foreach (var filter in filters)
        {
            long seen = 0, dropped = 0;
            foreach (var task in tasks)
            {
                seen += task.Extra?["filters"]?[filter.Name]?["seen"]?.GetValue<long>() ?? 0;
                dropped += task.Extra?["filters"]?[filter.Name]?["dropped"]?.GetValue<long>() ?? 0;
            }

            merged[filter.Name] = new JsonObject { ["seen"] = seen, ["dropped"] = dropped };
        }

        var counters = StageCounters.Sum(tasks.Select(t => t.Counters));
        await CardSections.Filter(new DataCard(context, kind, counters, PairLengths.Merge(tasks.Select(t => t.Extra))), context, merged).WriteAsync(cancellationToken);
        return new StageSummary(counters, new JsonObject { ["filters"] = merged });
    }
}
