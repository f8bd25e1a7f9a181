namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>
/// Manifest metadata keys of a <c>ref-logprobs</c> output besides the cache key: what <see cref="CacheVerifier"/>
/// needs to recompute rows.
/// </summary>
public static class ReferenceCacheMetadata
{
    /// <summary>The name of the stage whose pairs were scored.</summary>
    public const string InputStage = "input_stage";

    /// <summary>The local model path that was loaded (a stage's model is materialized to this path).</summary>
    public const string ModelPath = "model_path";

    /// <summary>The local tokenizer path that was loaded (the model's own when the options named none).</summary>
    public const string TokenizerPath = "tokenizer_path";
}
