using System.Globalization;
using System.Text;
using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;

namespace AlignmentPipeline.Data.Cards;

/// <summary>
/// The data card of a stage output: <c>card.md</c> with rows in and out, rows dropped per reason, the sources read,
/// length statistics and histograms of prompt, chosen and rejected (tables plus PNGs under <c>card/</c>), and
/// stage-specific sections (cluster sizes, split sizes, per-filter counts). Written through the stage's storage in
/// <see cref="IStage.FinalizeAsync"/>, so every file is listed in the manifest. It holds no timestamps or timings:
/// a rerun over the same inputs writes the same bytes.
/// </summary>
internal sealed class DataCard(StageContext context, StageKind kind, StageCounters counters, PairLengths lengths)
{
    public const string FileName = "card.md";

    private readonly List<(string Label, long Rows)> extraCounts = [];
    private readonly List<string[]> sources = [];
    private readonly List<(string Title, string? Note, string[] Header, List<string[]> Rows)> sections = [];

    /// <summary>The storage path of a field's histogram PNG, relative to the stage folder.</summary>
    public static string PlotPath(string field) => $"card/{field}_chars.png";

    /// <summary>Adds a line to the rows table (for example blank lines skipped by ingest).</summary>
    public DataCard Count(string label, long rows)
    {
        extraCounts.Add((label, rows));
        return this;
    }

    /// <summary>Adds a source: a file with its SHA-256, an upstream stage with its fingerprint.</summary>
    public DataCard Source(string source, string identity)
    {
        sources.Add([source, identity]);
        return this;
    }

    public DataCard Upstream(StageOutput output) => Source($"stage `{output.StageName}` ({output.Kind})", $"fingerprint `{output.Fingerprint}`");

    /// <summary>Adds a section with a table (and an optional sentence above it).</summary>
    public DataCard Section(string title, string[] header, IEnumerable<string[]> rows, string? note = null)
    {
        sections.Add((title, note, header, rows.ToList()));
        return this;
    }

    /// <summary>Writes card.md and one histogram PNG per field (none when no row was written).</summary>
    public async Task WriteAsync(CancellationToken cancellationToken = default)
    {
        if (counters.RowsOut > 0)
        {
            foreach (var (field, histogram) in lengths.Fields)
            {
                await context.Storage.WriteAllBytesAsync(context.OutputPath(PlotPath(field)), LengthPlot.Png($"{field} length", histogram), cancellationToken);
            }
        }

        await context.Storage.WriteTextAsync(context.OutputPath(FileName), Markdown(), cancellationToken);
    }

    public string Markdown()
    {
        var card = new StringBuilder();
        card.Append(CultureInfo.InvariantCulture, $"# Data card: {context.StageName}\n\n");
        card.Append(CultureInfo.InvariantCulture, $"Stage `{context.StageName}` of kind `{kind.Name}` (implementation version {kind.Version}), fingerprint `{context.Fingerprint}`.\n\n");

        card.Append("## Rows\n\n");
        var rows = new List<string[]> { new[] { "in", Number(counters.RowsIn) }, new[] { "out", Number(counters.RowsOut) } };
        rows.AddRange(counters.Dropped.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => new[] { $"dropped: `{d.Key}`", Number(d.Value) }));
        rows.AddRange(extraCounts.Select(c => new[] { c.Label, Number(c.Rows) }));
        Table(card, ["", "rows"], rows);
        card.Append(counters.Dropped.Count == 0
            ? "No row was dropped.\n\n"
            : "Every dropped row is kept in `quarantine/` with its reason, a detail and where it came from.\n\n");

        card.Append("## Sources\n\n");
        Table(card, ["source", "identity"], sources);

        AppendLengths(card);
        foreach (var (title, note, header, sectionRows) in sections)
        {
            card.Append(CultureInfo.InvariantCulture, $"## {title}\n\n");
            if (note is not null)
            {
                card.Append(note).Append("\n\n");
            }

            Table(card, header, sectionRows);
        }

        return card.ToString().TrimEnd('\n') + "\n";
    }

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private void AppendLengths(StringBuilder card)
    {
        card.Append("## Lengths (characters)\n\n");
        if (counters.RowsOut == 0)
        {
            card.Append("No rows were written.\n\n");
            return;
        }

        Table(card, ["field", "rows", "min", "mean", "max"], lengths.Fields.Select(f => new[]
        {
            f.Field, Number(f.Histogram.Rows), Number(f.Histogram.Min), f.Histogram.Mean.ToString("0.0", CultureInfo.InvariantCulture), Number(f.Histogram.Max),
        }));
        foreach (var (field, _) in lengths.Fields)
        {
            card.Append(CultureInfo.InvariantCulture, $"![{field} length histogram]({PlotPath(field)})\n");
        }

        card.Append('\n');
        var ranges = lengths.Fields.Select(f => LengthPlot.NonEmptyRange(f.Histogram)).ToList();
        int first = ranges.Min(r => r.First), last = ranges.Max(r => r.Last);
        Table(card, ["characters", "prompt", "chosen", "rejected"], Enumerable.Range(first, last - first + 1).Select(bin => new[]
        {
            LengthHistogram.Label(bin), Number(lengths.Prompt.Counts[bin]), Number(lengths.Chosen.Counts[bin]), Number(lengths.Rejected.Counts[bin]),
        }));
    }

    private static void Table(StringBuilder card, string[] header, IEnumerable<string[]> rows)
    {
        var list = rows.ToList();
        if (list.Count == 0)
        {
            card.Append("None.\n\n");
            return;
        }

        card.Append("| ").AppendJoin(" | ", header.Select(Cell)).Append(" |\n");
        card.Append('|').AppendJoin('|', header.Select(_ => "---")).Append("|\n");
        foreach (var row in list)
        {
            card.Append("| ").AppendJoin(" | ", row.Select(Cell)).Append(" |\n");
        }

        card.Append('\n');
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' ');
}
