namespace AlignmentPipeline.Core;

/// <summary>
/// A mistake the user can fix (bad config, missing file, mismatched cache). The CLI prints the message without a stack
/// trace and exits with code 2. Messages say what went wrong, where, and how to fix it; they never contain secrets.
/// </summary>
public class UserErrorException : Exception
{
    public UserErrorException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
