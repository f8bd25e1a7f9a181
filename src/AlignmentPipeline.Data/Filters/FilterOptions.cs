using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using AlignmentPipeline.Core.Configuration;

namespace AlignmentPipeline.Data.Filters;

/// <summary>
/// Options of <c>kind: filter</c>: flat, each check off unless set. Checks run in the order listed here and the
/// first that drops a pair names the reason. Lengths count the prompt plus one response and must hold for both
/// chosen and rejected. For message pairs, text is the message contents joined by newlines.
/// </summary>
public sealed record FilterOptions : IValidatableOptions
{
    [Description("Drop pairs whose chosen and rejected are the same after normalization (reason identical_responses). Default: true.")]
    public bool DropIdenticalResponses { get; init; } = true;

    [Description("Minimum characters of prompt + response, for each response (reason too_short). Default: none.")]
    [Range(0, int.MaxValue)]
    public int? MinChars { get; init; }

    [Description("Maximum characters of prompt + response, for each response (reason too_long). Default: none.")]
    [Range(0, int.MaxValue)]
    public int? MaxChars { get; init; }

    [Description("Minimum tokens of prompt + response, for each response, counted with 'tokenizer' or else as white-space separated words " +
                 "(reason too_few_tokens). Default: none.")]
    [Range(0, int.MaxValue)]
    public int? MinTokens { get; init; }

    [Description("Maximum tokens of prompt + response, for each response, counted with 'tokenizer' or else as white-space separated words " +
                 "(reason too_many_tokens). Default: none.")]
    [Range(0, int.MaxValue)]
    public int? MaxTokens { get; init; }

    [Description("Tokenizer file or model folder (e.g. tokenizer.json, a llama2.c tokenizer.bin) that min_tokens and max_tokens count with; " +
                 "its content hash enters the fingerprint. Default: none (white-space separated words).")]
    [PathOrStage(AllowStage = false)]
    public string? Tokenizer { get; init; }

    [Description("Maximum ratio of the longer response's characters to the shorter's (reason length_ratio). Default: none.")]
    [Range(1.0, double.MaxValue)]
    public double? MaxLengthRatio { get; init; }

    [Description("Maximum fraction of non-printable characters (control, format, unassigned, private use, surrogates; " +
                 "tab and line breaks are printable) in any field (reason non_printable). Default: none.")]
    [Range(0.0, 1.0)]
    public double? MaxNonPrintableRatio { get; init; }

    [Description("Regular expressions (.NET syntax); a pair is kept only if at least one matches its prompt, chosen or rejected " +
                 "text (reason no_include_match). Default: none.")]
    public IReadOnlyList<string> Include { get; init; } = [];

    [Description("Regular expressions; a pair is dropped if any matches its prompt, chosen or rejected text (reason excluded_pattern). Default: none.")]
    public IReadOnlyList<string> Exclude { get; init; } = [];

    [Description("Names of custom filters registered in code (IPairFilter), run last, in this order. Default: none.")]
    public IReadOnlyList<string> Custom { get; init; } = [];

    [Description("Rows per Parquet row group. Default: 50000.")]
    [Range(1, 10_000_000)]
    public int RowGroupRows { get; init; } = 50_000;

    public IEnumerable<OptionProblem> Validate()
    {
        if (MinChars > MaxChars)
        {
            yield return new OptionProblem("min_chars", $"min_chars ({MinChars}) is greater than max_chars ({MaxChars})");
        }

        if (MinTokens > MaxTokens)
        {
            yield return new OptionProblem("min_tokens", $"min_tokens ({MinTokens}) is greater than max_tokens ({MaxTokens})");
        }

        if (Tokenizer is not null && MinTokens is null && MaxTokens is null)
        {
            yield return new OptionProblem("tokenizer", "'tokenizer' is set but neither min_tokens nor max_tokens counts with it; set one or remove 'tokenizer'");
        }

        foreach (var (key, patterns) in new[] { ("include", Include), ("exclude", Exclude) })
        {
            for (int i = 0; i < patterns.Count; i++)
            {
                string? error = RegexError(patterns[i]);
                if (error is not null)
                {
                    yield return new OptionProblem(key, $"pattern {i} '{patterns[i]}' is not a valid regular expression: {error}");
                }
            }
        }
    }

    private static string? RegexError(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }
}
