namespace AlignmentPipeline.Modeling;

/// <summary>
/// A model file could not be read: wrong magic, truncated data, a tensor with the wrong shape or dtype, or an
/// architecture we do not implement. The message names the file and, where it applies, the tensor and the expected
/// versus found value.
/// </summary>
public sealed class ModelFormatException : Exception
{
    /// <summary>Creates the exception; <paramref name="path"/> is prefixed to the message.</summary>
    public ModelFormatException(string path, string message, Exception? inner = null)
        : base($"{path}: {message}", inner)
    {
        FilePath = path;
    }

    /// <summary>The file (or folder) that failed to load.</summary>
    public string FilePath { get; }
}
