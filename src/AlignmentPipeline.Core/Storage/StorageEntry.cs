namespace AlignmentPipeline.Core.Storage;

/// <summary>One published file: its path relative to the storage root and its size in bytes.</summary>
public sealed record StorageEntry(string Path, long Length);
