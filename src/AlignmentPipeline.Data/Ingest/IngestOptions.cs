using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Data.Ingest.Formats;

namespace AlignmentPipeline.Data.Ingest;

/// <summary>Options of <c>kind: ingest</c>.</summary>
public sealed record IngestOptions : IValidatableOptions
{
    [Description("Input files, directories or globs (relative to the current directory); with 'input: <stage>' the data files that " +
                 "stage published are read too. Each file becomes one task and one part. " +
                 "Containers: JSONL (.jsonl/.ndjson), JSON array (.json), Parquet (.parquet), CSV (.csv), TSV (.tsv), each optionally gzipped; " +
                 "other names are recognised by content.")]
    [PathOrStage(AllowGlob = true, AllowStage = false, PathInFingerprint = true)]
    public IReadOnlyList<string> Inputs { get; init; } = [];

    [Description("Row layout: auto, canonical, conversational, hh_transcript, pairwise_judged or scored. 'auto' decides per file " +
                 "from its first readable row. Default: auto.")]
    public IngestFormat Format { get; init; } = IngestFormat.Auto;

    [Description("Maps logical field names to the names in the source, e.g. {prompt: question, chosen: good}. Logical names: " +
                 "id, prompt, chosen, rejected (canonical, conversational, hh_transcript); role, content (conversational messages); " +
                 "instruction, input, response1, response2, annotator (label-field prefix) (pairwise_judged); prompt (default " +
                 "'instruction'), completions, response, score (default 'overall_score') (scored). Default: none.")]
    public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>();

    [Description("Scored format only: best_vs_worst, best_vs_random or all_above_margin. Default: best_vs_worst.")]
    public ScoredPairing Pairing { get; init; } = ScoredPairing.BestVsWorst;

    [Description("Scored format only: a pair needs chosen score minus rejected score greater than this. Default: 0.")]
    [Range(0.0, double.MaxValue)]
    public double Margin { get; init; }

    [Description("Scored format only: seed of the best_vs_random draw (mixed with each prompt). Default: 0.")]
    public long Seed { get; init; }

    [Description("Rows per Parquet row group. Default: 50000.")]
    [Range(1, 10_000_000)]
    public int RowGroupRows { get; init; } = 50_000;

    public IEnumerable<OptionProblem> Validate()
    {
        var known = Format == IngestFormat.Auto ? FieldNames.AllLogical : FieldNames.Defaults[Format].Keys.ToHashSet(StringComparer.Ordinal);
        foreach (string logical in Fields.Keys.Where(k => !known.Contains(k)))
        {
            yield return new OptionProblem($"fields.{logical}",
                $"'{logical}' is not a field of format '{OptionProperty.SnakeCase(Format.ToString())}'; known: {string.Join(", ", known.Order(StringComparer.Ordinal))}");
        }
    }
}
