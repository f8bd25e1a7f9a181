using System.Text.Json.Nodes;

namespace AlignmentPipeline.Modeling.Models;

/// <summary>What every model config tells its users, whatever the architecture.</summary>
public interface ICausalLanguageModelConfig
{
    /// <summary>Hugging Face <c>model_type</c>: llama, mistral, qwen2 or gpt2.</summary>
    string ModelType { get; }

    /// <summary>Rows of the embedding and of the logits.</summary>
    int VocabSize { get; }

    /// <summary>Longest sequence (cached plus new tokens) a forward accepts.</summary>
    int MaxSequenceLength { get; }

    /// <summary>The Hugging Face <c>config.json</c> content for this config.</summary>
    JsonObject ToHfConfigJson();
}
