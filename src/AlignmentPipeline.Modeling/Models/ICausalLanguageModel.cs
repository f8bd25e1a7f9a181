using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignmentPipeline.Modeling.Models;

/// <summary>
/// A decoder-only language model as trainers, the log-prob function and generation see it. Implemented by
/// <see cref="LlamaModel"/> and <see cref="Gpt2Model"/>.
/// </summary>
public interface ICausalLanguageModel : IDisposable
{
    /// <summary>The architecture hyper-parameters; <see cref="ICausalLanguageModelConfig.ToHfConfigJson"/> writes config.json.</summary>
    ICausalLanguageModelConfig Config { get; }

    /// <summary>The device holding the weights; inputs must be moved here.</summary>
    Device Device { get; }

    /// <summary>The weight dtype (float32 or bfloat16). Logits come out in this dtype.</summary>
    ScalarType DType { get; }

    /// <summary>The underlying module, for <c>train()</c>/<c>eval()</c> and optimizers.</summary>
    nn.Module Module { get; }

    /// <summary>
    /// Logits (B, T, V) for <paramref name="inputIds"/> (B, T, int64). See <see cref="ForwardHidden"/> for the optional
    /// arguments.
    /// </summary>
    Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null);

    /// <summary>
    /// Final hidden states (B, T, C) after the last norm, before the language-model head.
    /// <paramref name="attentionMask"/>: (B, S) with 1 for real tokens and 0 for padding, where S is the cached length
    /// plus T; null means no padding. Or (B, 1, T, S) boolean, true where a query may attend to a key (e.g. block-diagonal
    /// causal for packed sequences); then <paramref name="positionIds"/> are required. <paramref name="positionIds"/>:
    /// (B, T); null derives them from the mask (<c>cumsum(mask) - 1</c>, so left padding works) or counts from the cached
    /// length. <paramref name="cache"/>: keys and values of earlier tokens; this call appends T tokens to it.
    /// </summary>
    Tensor ForwardHidden(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null);

    /// <summary>Applies the language-model head to hidden states (…, C) → logits (…, V).</summary>
    Tensor LmHead(Tensor hidden);

    /// <summary>
    /// Trainable parameters with their Hugging Face checkpoint names, each tensor once (a tied embedding is listed
    /// once). Give this list to optimizers.
    /// </summary>
    IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters();

    /// <summary>An empty KV cache for <paramref name="batchSize"/> sequences of up to <paramref name="maxLength"/> tokens.</summary>
    KvCache CreateCache(int batchSize, int maxLength);

    /// <summary>Writes <c>model.safetensors</c> and <c>config.json</c> with Hugging Face key names into a folder.</summary>
    void Save(string directory);
}
