namespace AlignmentPipeline.Core.Storage;

/// <summary>Opens storage from a URI: a local path (or <c>file://</c>) today; <c>az://</c> once the blob backend lands.</summary>
public static class StorageFactory
{
    public static IStorage Open(string uri)
    {
        if (uri.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            return new LocalStorage(new Uri(uri).LocalPath, uri);
        }

        if (uri.Contains("://", StringComparison.Ordinal))
        {
            string scheme = uri[..uri.IndexOf("://", StringComparison.Ordinal)];
            throw new UserErrorException($"storage scheme '{scheme}://' is not supported yet ('{uri}'); use a local path");
        }

        return new LocalStorage(uri);
    }
}
