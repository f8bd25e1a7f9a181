using System.Text.Json.Nodes;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Modeling.Tokenization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AlignmentPipeline.Modeling.Models;

/// <summary>
/// A Bradley–Terry reward model (Ouyang et al. 2022, InstructGPT §3.5): a causal-LM backbone whose final hidden state
/// at the last token of prompt + response goes through a bias-free linear head to one scalar, as Hugging Face's
/// <c>*ForSequenceClassification</c> with <c>num_labels: 1</c> (head tensor <c>score.weight</c>, shape (1, C)).
/// It is also a causal LM with the backbone's own logits, so trainers, checkpoints and <c>align model</c> use it like
/// one; <see cref="Save"/> writes the backbone's tensors plus <c>score.weight</c>, and <see cref="ModelLoader"/> reads
/// such a folder as the backbone alone.
/// </summary>
public sealed class ScalarRewardModel : nn.Module, ICausalLanguageModel
{
    /// <summary>The head's tensor name, as Hugging Face's sequence-classification models name it.</summary>
    public const string ScoreWeightName = "score.weight";

    private readonly ICausalLanguageModel backbone;
    private readonly Parameter score;

    /// <summary>
    /// Wraps <paramref name="backbone"/> (owned from now on) with <paramref name="scoreWeight"/> (1, C) as the head,
    /// or a fresh head drawn from N(0, 0.02²) with the torch generator (Hugging Face's <c>initializer_range</c>).
    /// </summary>
    public ScalarRewardModel(ICausalLanguageModel backbone, Tensor? scoreWeight = null)
        : base(nameof(ScalarRewardModel))
    {
        var hiddenSize = backbone.Config switch
        {
            LlamaConfig llama => llama.HiddenSize,
            Gpt2Config gpt2 => gpt2.HiddenSize,
            _ => throw new ArgumentException($"no reward head for a {backbone.Config.ModelType} model"),
        };
        if (scoreWeight is not null && !scoreWeight.shape.SequenceEqual([1L, hiddenSize]))
        {
            throw new ArgumentException($"{ScoreWeightName} must have shape [1, {hiddenSize}]; got [{string.Join(", ", scoreWeight.shape)}]");
        }

        this.backbone = backbone;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var initial = scoreWeight?.detach().clone() ?? randn(1, hiddenSize) * 0.02f; // (1, C)
            score = nn.Parameter(initial.to(backbone.DType, backbone.Device));
            score.DetachFromDisposeScope(); // a module owns its parameters, whatever scope it is built in
        }

        RegisterComponents();
    }

    /// <summary>Loads a folder written by <see cref="Save"/> (or a Hugging Face <c>*ForSequenceClassification</c> folder with one label).</summary>
    /// <returns>The reward model in eval mode and the content hash of its files (config.json and the safetensors).</returns>
    public static (ScalarRewardModel Model, string ContentHash) Load(string path, ModelRuntimeOptions runtime)
    {
        var folder = Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path))!;
        var (_, weights) = HfCheckpoint.Locate(folder);
        var head = weights.Where(f => f.EndsWith(".safetensors", StringComparison.Ordinal))
            .Select(f => SafetensorsFile.Read(f).GetValueOrDefault(ScoreWeightName))
            .FirstOrDefault(t => t is not null)
            ?? throw new ModelFormatException(folder, $"'{ScoreWeightName}' is missing: this is not a reward model (train one with kind: reward-model)");
        var loaded = ModelLoader.Load(folder, runtime);
        using var scoreWeight = tensor(head.Values, head.Shape); // (1, C)
        var model = new ScalarRewardModel(loaded.Model, scoreWeight);
        model.eval();
        return (model, loaded.ContentHash);
    }

    /// <summary>The backbone's config (the head adds num_labels 1 to what <see cref="Save"/> writes).</summary>
    public ICausalLanguageModelConfig Config => backbone.Config;

    /// <inheritdoc />
    public Device Device => backbone.Device;

    /// <inheritdoc />
    public ScalarType DType => backbone.DType;

    /// <inheritdoc />
    public nn.Module Module => this;

    /// <summary>The head (1, C).</summary>
    public Parameter ScoreWeight => score;

    /// <summary>
    /// The tokens a reward model reads for a prompt and a response, in training and in evaluation alike: the encoder's
    /// prompt ids followed by its completion ids (the trainers' split, BOS and EOS per its rules).
    /// </summary>
    public static IReadOnlyList<int> Sequence(PromptCompletionEncoder encoder, string prompt, string response)
    {
        var ids = encoder.Encode(prompt, response);
        return [.. ids.PromptIds, .. ids.CompletionIds];
    }

    /// <summary>
    /// One reward per token sequence (each at least one token), shape (B): the sequences are right-padded into one
    /// forward, and the head reads each one's hidden state at its last real token. Causal attention never lets a real
    /// token see the padding after it, so padding does not change a reward. Carries gradients unless called under
    /// <c>no_grad</c>/<c>inference_mode</c>; the tensor lands in the caller's dispose scope.
    /// </summary>
    public Tensor Rewards(IReadOnlyList<IReadOnlyList<int>> sequences)
    {
        if (sequences.Count == 0 || sequences.Any(s => s.Count == 0))
        {
            throw new ArgumentException("rewards need at least one sequence and every sequence needs a token");
        }

        using var scope = NewDisposeScope();
        var (B, T) = (sequences.Count, sequences.Max(s => s.Count));
        var ids = new long[B * T];
        for (var b = 0; b < B; b++)
        {
            for (var t = 0; t < sequences[b].Count; t++)
            {
                ids[b * T + t] = sequences[b][t];
            }
        }

        var hidden = backbone.ForwardHidden(tensor(ids, [B, T], device: Device)); // (B, T, C)
        var C = hidden.shape[2];
        var last = tensor(sequences.Select(s => (long)s.Count - 1).ToArray(), device: Device); // (B)
        var lastHidden = hidden.gather(1, last.view(B, 1, 1).expand(B, 1, C)).squeeze(1); // (B, C)
        return F.linear(lastHidden, score).squeeze(-1).to(float32).MoveToOuterDisposeScope(); // (B)
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null) =>
        backbone.Forward(inputIds, attentionMask, positionIds, cache);

    /// <inheritdoc />
    public Tensor ForwardHidden(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null) =>
        backbone.ForwardHidden(inputIds, attentionMask, positionIds, cache);

    /// <inheritdoc />
    public Tensor LmHead(Tensor hidden) => backbone.LmHead(hidden);

    /// <summary>The backbone's parameters, then <c>score.weight</c>.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters() => [.. backbone.NamedParameters(), (ScoreWeightName, score)];

    /// <inheritdoc />
    public KvCache CreateCache(int batchSize, int maxLength) => backbone.CreateCache(batchSize, maxLength);

    /// <summary>
    /// Writes <c>model.safetensors</c> (the backbone's tensors and <c>score.weight</c>) and a config.json that names the
    /// <c>*ForSequenceClassification</c> architecture with one label, so Hugging Face's AutoModelForSequenceClassification
    /// can read it too (it ignores an untied <c>lm_head.weight</c>, which stays for our causal-LM loader).
    /// </summary>
    public void Save(string directory)
    {
        HfCheckpointWriter.Save(this, directory);
        var configPath = Path.Combine(directory, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        var architecture = config["architectures"]![0]!.GetValue<string>();
        config["architectures"] = new JsonArray(architecture == "GPT2LMHeadModel"
            ? "GPT2ForSequenceClassification"
            : architecture.Replace("ForCausalLM", "ForSequenceClassification", StringComparison.Ordinal));
        config["id2label"] = new JsonObject { ["0"] = "LABEL_0" };
        config["label2id"] = new JsonObject { ["LABEL_0"] = 0 };
        File.WriteAllText(configPath, config.ToJsonString(new() { WriteIndented = true }) + "\n");
    }
}
