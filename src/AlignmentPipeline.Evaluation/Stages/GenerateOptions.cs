using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Modeling.Templates;

namespace AlignmentPipeline.Evaluation.Stages;

/// <summary>Options of <c>kind: generate</c>.</summary>
public sealed record GenerateOptions : IValidatableOptions
{
    /// <summary>The model name <c>kind: generate</c> gives the dataset's chosen responses when prompts come from pairs.</summary>
    public const string DatasetChosen = "dataset_chosen";

    [Required]
    [Description("Where the prompts come from: a stage whose output holds preference pairs (ingest, dedup, split…), or a local " +
                 "file: .jsonl with a 'prompt' field (text or a message list) and an optional 'id', or any other file as plain " +
                 "text with one prompt per non-empty line.")]
    [PathOrStage]
    public string Prompts { get; init; } = "";

    [Required]
    [Description("The models that answer, one or more: stages that publish a model or local model paths (Hugging Face folder, " +
                 ".safetensors, .gguf, llama2.c .bin). Each runs as its own task.")]
    [PathOrStage(PathInFingerprint = true)]
    public IReadOnlyList<string> Models { get; init; } = [];

    [Description("The name of each model in the output's 'model' column, in the order of 'models'. Default: each entry of " +
                 "'models' as written. 'dataset_chosen' is reserved.")]
    public IReadOnlyList<string>? Names { get; init; }

    [Description("Tokenizer file or folder used for every model. Default: each model's own (required for llama2.c .bin models).")]
    [PathOrStage(AllowStage = false)]
    public string? Tokenizer { get; init; }

    [Description("Chat template the prompt is rendered with before tokenizing: none, chatml, llama2, llama3 or zephyr. " +
                 "With 'none' a text prompt is used as written. Default: none.")]
    public string Template { get; init; } = "none";

    [Description("With prompts from a stage whose parts sit in train/ and eval/ folders: which to read (eval, train, all). " +
                 "An input without such folders is read whole. Default: eval.")]
    public PromptSplit Split { get; init; } = PromptSplit.Eval;

    [Description("Use only the first N prompts (input order). Default: all.")]
    [Range(1, int.MaxValue)]
    public int? MaxPrompts { get; init; }

    [Description("Most tokens generated per prompt, stop token excluded. Default: 128.")]
    [Range(1, 1_048_576)]
    public int MaxNewTokens { get; init; } = 128;

    [Description("Softmax temperature; 0 (default) is greedy decoding.")]
    [Range(0.0, 100.0)]
    public double Temperature { get; init; }

    [Description("Sample among the k most likely tokens only; 0 (default) disables it.")]
    [Range(0, int.MaxValue)]
    public int TopK { get; init; }

    [Description("Nucleus sampling: the smallest token set with mass ≥ p; 1 (default) disables it. Must be in (0, 1].")]
    [Range(0.0, 1.0)]
    public double TopP { get; init; } = 1.0;

    [Description("Seed of sampling. The same seed, prompts, batch_size and model give the same text. Default: 0.")]
    [Range(0L, long.MaxValue)]
    public long Seed { get; init; }

    [Description("Prompts generated together in one batch (left-padded, KV cache). Default: 8.")]
    [Range(1, 4096)]
    public int BatchSize { get; init; } = 8;

    [Description("Strings that end a response: the text is cut before the first occurrence and response_tokens counts the " +
                 "tokens up to it. EOS always ends a response. Default: none.")]
    public IReadOnlyList<string> Stop { get; init; } = [];

    [Description("Prepend BOS to every prompt (never twice). Default: what the tokenizer's files say.")]
    public bool? AddBos { get; init; }

    [Description("Weights and activations: float32 (default) or bfloat16 (use bfloat16 on CUDA only).")]
    public string Dtype { get; init; } = "float32";

    [Description("auto (default: CUDA when available), cpu or cuda.")]
    public string Device { get; init; } = "auto";

    /// <summary>The runtime these options ask for.</summary>
    public ModelRuntimeOptions Runtime => new(Device, Dtype);

    /// <summary>The name of model <paramref name="index"/> in the output.</summary>
    public string NameOf(int index) => Names is { } names ? names[index] : Models[index];

    public IEnumerable<OptionProblem> Validate()
    {
        if (Models.Count == 0)
        {
            yield return new OptionProblem("models", "name at least one model (a stage or a path)");
        }

        if (Names is { } names && names.Count != Models.Count)
        {
            yield return new OptionProblem("names", $"{names.Count} names for {Models.Count} models; give one name per model or leave 'names' out");
        }

        var all = Enumerable.Range(0, Models.Count).Select(i => Names is { } n && i < n.Count ? n[i] : Models[i]).ToList();
        foreach (var duplicate in all.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            yield return new OptionProblem(Names is null ? "models" : "names", $"the model name '{duplicate.Key}' appears twice; set 'names' so each model has its own");
        }

        if (all.Contains(DatasetChosen))
        {
            yield return new OptionProblem(Names is null ? "models" : "names", $"'{DatasetChosen}' is reserved for the dataset's chosen responses; rename the model");
        }

        if (all.Any(string.IsNullOrWhiteSpace))
        {
            yield return new OptionProblem("names", "model names must not be empty");
        }

        if (!ChatTemplates.BuiltInNames.Contains(Template))
        {
            yield return new OptionProblem("template", $"'{Template}' is not a built-in template; use one of {string.Join(", ", ChatTemplates.BuiltInNames)}");
        }

        if (TopP <= 0)
        {
            yield return new OptionProblem("top_p", "must be greater than 0 (1 disables nucleus sampling)");
        }

        if (Stop.Any(s => s.Length == 0))
        {
            yield return new OptionProblem("stop", "stop strings must not be empty");
        }

        foreach (var problem in Runtime.Validate())
        {
            yield return new OptionProblem(problem.StartsWith("dtype", StringComparison.Ordinal) ? "dtype" : "device", problem);
        }

        if (Tokenizer is null && Models.Any(m => m.EndsWith(".bin", StringComparison.OrdinalIgnoreCase)))
        {
            yield return new OptionProblem("tokenizer", "a llama2.c model (.bin) carries no tokenizer; set 'tokenizer' (e.g. tok512.bin beside it)");
        }
    }
}
