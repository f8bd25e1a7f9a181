namespace AlignmentPipeline.Modeling.Checkpoints;

/// <summary>A tensor read from a file into float32 host memory, row-major, shape in PyTorch order.</summary>
internal sealed record HostTensor(long[] Shape, float[] Values)
{
    /// <summary>The shape as <c>[a, b]</c> for messages.</summary>
    public string ShapeText => Format(Shape);

    /// <summary>Formats any shape as <c>[a, b]</c>.</summary>
    public static string Format(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";
}
