using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Modeling.Templates;

namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>Options of <c>kind: ref-logprobs</c>.</summary>
public sealed record RefLogProbsOptions : IValidatableOptions
{
    [Required]
    [Description("The reference model: a stage that publishes a model, a Hugging Face folder, a .safetensors file, a .gguf or a llama2.c .bin.")]
    [PathOrStage]
    public string Model { get; init; } = "";

    [Description("Tokenizer file or folder. Default: the model's own (embedded in a .gguf, tokenizer files in a Hugging Face folder). " +
                 "Required for a llama2.c .bin (e.g. tok512.bin).")]
    [PathOrStage(AllowStage = false)]
    public string? Tokenizer { get; init; }

    [Description("Chat template applied before tokenizing: none, chatml, llama2, llama3 or zephyr. With 'none' text pairs are " +
                 "scored as written. Default: none.")]
    public string Template { get; init; } = "none";

    [Description("Prepend BOS to every prompt (never twice). Default: what the tokenizer's files say.")]
    public bool? AddBos { get; init; }

    [Description("Append EOS after every completion (never twice). Default: what the tokenizer's files say (true for all built-in formats).")]
    public bool? AddEos { get; init; }

    [Description("Longest prompt + completion in tokens. Default: 512.")]
    [Range(2, 1_048_576)]
    public int MaxLength { get; init; } = 512;

    [Description("keep_start (default, as TRL): keep the prompt, cut the completion's tail; pairs whose prompt alone fills max_length " +
                 "are quarantined as prompt_too_long. keep_end: keep the last max_length tokens of each sequence; pairs whose completion " +
                 "leaves no prompt token are quarantined as completion_too_long.")]
    public Truncation Truncation { get; init; } = Truncation.KeepStart;

    [Description("Weights and activations: float32 (default) or bfloat16 (use bfloat16 on CUDA only).")]
    public string Dtype { get; init; } = "float32";

    [Description("auto (default: CUDA when available), cpu or cuda.")]
    public string Device { get; init; } = "auto";

    /// <summary>The budget <c>batch_tokens: auto</c> means on a CPU (within noise of 8192 or faster for stories260K and a 15M Llama on 2 cores).</summary>
    public const int CpuBatchTokens = 2048;

    /// <summary>
    /// The budget <c>batch_tokens: auto</c> means on a CPU with <c>prefix_sharing</c>: about one packed row per forward. A
    /// batch of packed rows under a 4-d mask cost 657 µs per position against 412 µs for rows alone (15M Llama, HH pairs,
    /// quiet machine, cache benchmark).
    /// </summary>
    public const int CpuSharedBatchTokens = 512;

    /// <summary>The budget <c>batch_tokens: auto</c> means on a GPU (not measured here: no GPU).</summary>
    public const int GpuBatchTokens = 16384;

    [Description("Token budget of one forward: rows × padded length stays under it (a longer pair runs alone). auto (default): " +
                 "2048 on a CPU, where larger batches gain nothing per token and add padding (in the cache benchmark on 2 cores 8192 " +
                 "was as fast or up to 1.8x slower), 512 on a CPU with prefix_sharing (batches of packed rows were 1.6x slower per " +
                 "position than rows alone), and 16384 on a GPU, which needs large batches to be busy (lower it if memory runs out). Or a number of tokens.")]
    public string BatchTokens { get; init; } = "auto";

    [Description("Tasks: task i scores the i-th contiguous slice of the input rows and writes part-i. Default: 1.")]
    [Range(1, 100_000)]
    public int Shards { get; init; } = 1;

    [Description("Also store each completion's per-token log-probs (binary columns of float32 little-endian values, ref_chosen_token_logps and " +
                 "ref_rejected_token_logps). Default: false.")]
    public bool PerToken { get; init; }

    [Description("Score each pair as one packed row, prompt | chosen | rejected, in which the rejected tokens attend to the prompt " +
                 "but not to the chosen ones: the prompt runs once and the shorter completion is not padded to the longer. Rows are " +
                 "sorted by length into batches under batch_tokens. Same numbers within 1e-5, less compute when prompts are long; a pair " +
                 "whose chosen and rejected prompts differ after truncation (keep_end) is scored unshared. Default: false.")]
    public bool PrefixSharing { get; init; }

    [Description("Also score each pair's prompt with the chosen and rejected completions of a donor pair (the next pair of its " +
                 "scoring window, cyclically) for KTO's KL reference point: columns kl_donor_id, ref_kl_chosen_logp, ref_kl_rejected_logp, " +
                 "kl_chosen_tokens, kl_rejected_tokens. A kto stage requires them. Doubles the forward work. Default: false.")]
    public bool KtoMismatched { get; init; }

    /// <summary>
    /// The token budget on <paramref name="device"/>: <see cref="BatchTokens"/>, or for auto the CPU value (the shared
    /// one with <see cref="PrefixSharing"/>) or the GPU value.
    /// </summary>
    public int BatchTokensOn(TorchSharp.torch.Device device) =>
        BatchTokens != "auto" ? int.Parse(BatchTokens, System.Globalization.CultureInfo.InvariantCulture)
        : device.type != TorchSharp.DeviceType.CPU ? GpuBatchTokens
        : PrefixSharing ? CpuSharedBatchTokens : CpuBatchTokens;

    /// <summary>The runtime these options ask for.</summary>
    public ModelRuntimeOptions Runtime => new(Device, Dtype);

    public IEnumerable<OptionProblem> Validate()
    {
        if (!ChatTemplates.BuiltInNames.Contains(Template))
        {
            yield return new OptionProblem("template", $"'{Template}' is not a built-in template; use one of {string.Join(", ", ChatTemplates.BuiltInNames)}");
        }

        if (Dtype is not ("float32" or "bfloat16"))
        {
            yield return new OptionProblem("dtype", $"'{Dtype}' is not float32 or bfloat16");
        }

        if (Device is not ("auto" or "cpu" or "cuda"))
        {
            yield return new OptionProblem("device", $"'{Device}' is not auto, cpu or cuda");
        }

        if (BatchTokens != "auto" && !(int.TryParse(BatchTokens, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var budget) && budget >= 1))
        {
            yield return new OptionProblem("batch_tokens", $"'{BatchTokens}' is not auto or a positive number of tokens");
        }

        if (Model.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) && Tokenizer is null)
        {
            yield return new OptionProblem("tokenizer", $"a llama2.c model ('{Model}') carries no tokenizer; set 'tokenizer' (e.g. tok512.bin beside it)");
        }
    }
}
