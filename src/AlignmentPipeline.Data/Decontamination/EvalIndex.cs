using System.Text;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Data.Dedup;
using AlignmentPipeline.Data.Ingest.Containers;
using AlignmentPipeline.Data.Records;
using AlignmentPipeline.Data.Tables;

namespace AlignmentPipeline.Data.Decontamination;

/// <summary>
/// The n-grams of every eval item, each mapped to the items holding it, so a prompt's overlap with each item can be
/// counted in one pass over its n-grams. Built in memory: eval sets are small next to training corpora.
/// </summary>
internal sealed class EvalIndex
{
    /// <summary>The columns of an eval stage's pairs that the index needs (a pair's responses are never compared).</summary>
    private static readonly string[] StageColumns = ["id", "prompt", "format"];

    private readonly Dictionary<ulong, List<int>> itemsByNgram = [];
    private readonly List<string> labels = [];
    private readonly MinHasher shingler;

    private EvalIndex(int ngram) => shingler = new MinHasher(ngram, ShingleUnit.Word, functions: 0, seed: 0);

    public int Items => labels.Count;

    public static async Task<EvalIndex> BuildAsync(DecontaminateOptions options, StageContext context, CancellationToken cancellationToken)
    {
        var index = new EvalIndex(options.Ngram);
        foreach (string eval in options.Eval)
        {
            if (context.IsStage(eval))
            {
                var output = context.Upstream(eval);
                string name = output.IsSplit ? $"{eval}/{options.EvalSplit}" : eval;
                var parts = PairParts.OfSplit(output, options.EvalSplit, "decontaminate", "eval_split");
                await foreach (var row in ParquetTableReader.ReadAllAsync(context.Storage, parts, StageColumns, cancellationToken))
                {
                    string format = row.Has("format") ? row.String("format") ?? PreferencePair.TextFormat : PreferencePair.TextFormat;
                    index.Add($"{name}:{row.String("id")}", PairText.Of(row.String("prompt") ?? "", format));
                }

                continue;
            }

            foreach (string file in PathResolver.Resolve(eval, allowGlob: true))
            {
                string display = Path.GetRelativePath(Environment.CurrentDirectory, file);
                await foreach (var row in EvalRows(file, display, cancellationToken))
                {
                    if (row.Value?[options.EvalField] is System.Text.Json.Nodes.JsonValue value && value.TryGetValue(out string? text))
                    {
                        index.Add(row.Location, text);
                    }
                }
            }
        }

        return index;
    }

    /// <summary>The eval item sharing the most of the text's n-grams: its label, the shared count and the text's n-gram count.</summary>
    public (string? Label, int Shared, int Total) BestMatch(string text)
    {
        var ngrams = shingler.Shingles(Clean(text));
        var shared = new Dictionary<int, int>();
        foreach (ulong ngram in ngrams)
        {
            if (itemsByNgram.TryGetValue(ngram, out var items))
            {
                foreach (int item in items)
                {
                    shared[item] = shared.GetValueOrDefault(item) + 1;
                }
            }
        }

        if (shared.Count == 0)
        {
            return (null, 0, ngrams.Length);
        }

        var best = shared.OrderByDescending(s => s.Value).ThenBy(s => s.Key).First();
        return (labels[best.Key], best.Value, ngrams.Length);
    }

    /// <summary>NFC, white space collapsed, lower case, punctuation and symbols replaced by spaces.</summary>
    internal static string Clean(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (char c in ContentId.Normalize(text))
        {
            builder.Append(char.IsPunctuation(c) || char.IsSymbol(c) ? ' ' : char.ToLowerInvariant(c));
        }

        return ContentId.Normalize(builder.ToString());
    }

    private void Add(string label, string text)
    {
        int item = labels.Count;
        labels.Add(label);
        foreach (ulong ngram in shingler.Shingles(Clean(text)))
        {
            if (!itemsByNgram.TryGetValue(ngram, out var items))
            {
                itemsByNgram[ngram] = items = [];
            }

            if (items.Count == 0 || items[^1] != item)
            {
                items.Add(item);
            }
        }
    }

    private static IAsyncEnumerable<SourceRow> EvalRows(string file, string display, CancellationToken cancellationToken) => InputFile.Detect(file) switch
    {
        ContainerKind.Jsonl => JsonlRows.ReadAsync(file, display, cancellationToken),
        ContainerKind.JsonArray => JsonArrayRows.ReadAsync(file, display, cancellationToken),
        ContainerKind.Parquet => ParquetRows.ReadAsync(file, display, cancellationToken),
        ContainerKind.Csv => DelimitedRows.Read(file, display, ',', cancellationToken).ToAsyncEnumerable(),
        _ => DelimitedRows.Read(file, display, '\t', cancellationToken).ToAsyncEnumerable(),
    };
}
