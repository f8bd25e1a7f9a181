using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignmentPipeline.Core.Storage;

/// <summary>Whole-file helpers over <see cref="IStorage"/>.</summary>
public static class StorageExtensions
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAllBytesAsync(this IStorage storage, string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        await using var file = await storage.CreateAsync(path, cancellationToken);
        await file.Stream.WriteAsync(content, cancellationToken);
        await file.CommitAsync(cancellationToken);
    }

    public static Task WriteTextAsync(this IStorage storage, string path, string text, CancellationToken cancellationToken = default) =>
        storage.WriteAllBytesAsync(path, System.Text.Encoding.UTF8.GetBytes(text), cancellationToken);

    public static Task WriteJsonAsync(this IStorage storage, string path, JsonNode json, CancellationToken cancellationToken = default) =>
        storage.WriteTextAsync(path, json.ToJsonString(Indented) + "\n", cancellationToken);

    public static async Task<byte[]> ReadAllBytesAsync(this IStorage storage, string path, CancellationToken cancellationToken = default)
    {
        await using var stream = await storage.OpenReadAsync(path, cancellationToken);
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory, cancellationToken);
        return memory.ToArray();
    }

    public static async Task<JsonNode> ReadJsonAsync(this IStorage storage, string path, CancellationToken cancellationToken = default) =>
        JsonNode.Parse(await storage.ReadAllBytesAsync(path, cancellationToken))
        ?? throw new InvalidDataException($"'{path}' in storage '{storage.Uri}' holds JSON null");
}
