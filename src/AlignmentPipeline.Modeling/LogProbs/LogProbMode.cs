namespace AlignmentPipeline.Modeling.LogProbs;

/// <summary>Whether log-probabilities carry gradients.</summary>
public enum LogProbMode
{
    /// <summary>No autograd (<c>torch.inference_mode</c>): reference caches and evaluation.</summary>
    Inference,

    /// <summary>Tensors keep their graph so a loss can be back-propagated through them.</summary>
    Train,
}
