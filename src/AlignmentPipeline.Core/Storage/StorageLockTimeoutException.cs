namespace AlignmentPipeline.Core.Storage;

/// <summary>Another process held a lock for longer than the caller was willing to wait.</summary>
public sealed class StorageLockTimeoutException(string message) : UserErrorException(message);
