using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using AlignmentPipeline.Core.Configuration;

namespace AlignmentPipeline.Data.Decontamination;

/// <summary>Options of <c>kind: decontaminate</c>.</summary>
public sealed record DecontaminateOptions
{
    [Required]
    [Description("Evaluation sets: stage names (their pairs' prompts) or files, directories or globs in any ingest container " +
                 "(JSONL, JSON array, Parquet, CSV/TSV, gzipped or not), whose 'eval_field' holds the text.")]
    [PathOrStage(AllowGlob = true, AllowStage = true)]
    public IReadOnlyList<string> Eval { get; init; } = [];

    [Description("With an eval stage that kind: split divided into folders (train/, eval/ …): the split whose prompts form the " +
                 "evaluation set; a split the stage does not have is an error naming the ones it has. An eval stage without split " +
                 "folders is read whole. Default: eval.")]
    public string EvalSplit { get; init; } = "eval";

    [Description("Field of eval file rows holding the text to compare. Default: prompt.")]
    public string EvalField { get; init; } = "prompt";

    [Description("Word n-gram length; texts are NFC-normalized, lower-cased and stripped of punctuation first. Default: 13 (as in GPT-3's decontamination).")]
    [Range(1, 64)]
    public int Ngram { get; init; } = 13;

    [Description("Drop a pair when the fraction of its prompt's distinct n-grams found in one eval item is above this. " +
                 "0 drops a pair sharing any n-gram. Default: 0.")]
    [Range(0.0, 1.0)]
    public double Threshold { get; init; }

    [Description("Rows per Parquet row group. Default: 50000.")]
    [Range(1, 10_000_000)]
    public int RowGroupRows { get; init; } = 50_000;
}
